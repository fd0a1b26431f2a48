// Shared by the tests: stories260k on the wasm backend, and a small batch of its token ids.
import * as tf from "@tensorflow/tfjs"
import { causalLogits, type Adapter } from "@peftlab/adapters-base"
import { Effect } from "effect"
import { plugin } from "@peftlab/backend-wasm"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"

export const loadStories260k = async (): Promise<CausalLM> => {
  await plugin.setup()
  return Effect.runPromise(loadCausalLM(stories260kDir))
}

/** Two stories-style rows, the second right-padded. */
export const rows = [
  [1, 403, 407, 261, 13],
  [1, 378, 432, 0, 0],
]
const rowsMask = rows.map((r, b) => r.map((_, t) => (b === 1 && t >= 3 ? 0 : 1)))

export const logitsOf = (model: CausalLM, adapter: Adapter): number[][][] =>
  tf.tidy(() => causalLogits(model, adapter, tf.tensor2d(rows, undefined, "int32"), tf.tensor2d(rowsMask, undefined, "int32")).arraySync())

export const maxAbsDiff = (a: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<ReadonlyArray<number>>): number =>
  Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - (b[i]?.[j] ?? Number.NaN))))))
