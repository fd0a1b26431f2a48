// NF4 on the real stories260k checkpoint (wasm): memory of the quantized projections and how far
// the quantized model moves from the float model on the reference prompts.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin } from "@peftlab/backend-wasm"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { loadCausalLM, quantizeModelLinears, type CausalLM } from "../src/index.ts"
import { logitsOf, meanNll } from "./logit-helpers.ts"

const dir = stories260kDir

const argmax = (row: ReadonlyArray<number>): number => row.indexOf(Math.max(...row))

describe("NF4 stories260k (wasm)", () => {
  const prompts = (JSON.parse(readFileSync(join(dir, "reference_logits.json"), "utf8")) as { prompts: Array<{ ids: number[] }> }).prompts
  let model: CausalLM
  beforeAll(async () => {
    await plugin.setup()
    model = await Effect.runPromise(loadCausalLM(dir))
  })
  afterAll(() => model.dispose())

  it("shrinks the q/k/v/o/gate/up/down projections 7.1x and moves the logits by a bounded amount", async () => {
    const floatLogits = prompts.map((p) => logitsOf(model, p.ids))
    const before = tf.memory().numTensors
    const report = await quantizeModelLinears(model)
    const nf4Logits = prompts.map((p) => logitsOf(model, p.ids))
    report.restore()
    expect(tf.memory().numTensors).toBe(before)

    expect(report.modules).toHaveLength(7 * model.dims.num_hidden_layers)
    for (const name of report.modules) expect(name).toMatch(/\.(q|k|v|o|gate|up|down)_proj$/)
    // Every projection holds a multiple of 64 weights, so 4 bytes become 1/2 + 4/64: 64/9 = 7.11x
    // (measured 906,240 -> 127,440 bytes).
    expect(report.floatBytes / report.quantizedBytes).toBeCloseTo(64 / 9, 10)

    // Measured on wasm: max |logit error| 4.88 (logits span ±22), mean NLL x1.21, x1.05 and x0.98
    // on the three prompts, the float model's argmax kept at 69 of 79 positions. Bounds with margin:
    let maxError = 0
    let agreements = 0
    let positions = 0
    prompts.forEach((p, i) => {
      const float = floatLogits[i] as number[][]
      const nf4 = nf4Logits[i] as number[][]
      float.forEach((row, t) => {
        const quantizedRow = nf4[t] as number[]
        row.forEach((v, j) => (maxError = Math.max(maxError, Math.abs(v - (quantizedRow[j] as number)))))
        if (argmax(row) === argmax(quantizedRow)) agreements++
        positions++
      })
      expect(meanNll(nf4, p.ids) / meanNll(float, p.ids)).toBeLessThan(1.35)
    })
    expect(maxError).toBeGreaterThan(0)
    expect(maxError).toBeLessThan(6.5)
    expect(agreements / positions).toBeGreaterThan(0.75)
  })
})
