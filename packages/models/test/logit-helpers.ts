// Float64 helpers the stories260k tests share: one sequence's logits as plain arrays, and the
// mean next-token cross-entropy the reference file reports.
import * as tf from "@tensorflow/tfjs"
import type { CausalLM } from "../src/index.ts"

export const logitsOf = (model: CausalLM, ids: ReadonlyArray<number>): number[][] =>
  tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([[...ids]], undefined, "int32")) }).arraySync()[0] as number[][])

/** Mean cross-entropy of ids[1:] given their prefixes, computed from the logits in float64. */
export const meanNll = (logits: number[][], ids: ReadonlyArray<number>): number => {
  let total = 0
  for (let t = 0; t + 1 < ids.length; t++) {
    const row = logits[t] as number[]
    const max = Math.max(...row)
    const logSumExp = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0))
    total += logSumExp - (row[ids[t + 1] as number] as number)
  }
  return total / (ids.length - 1)
}
