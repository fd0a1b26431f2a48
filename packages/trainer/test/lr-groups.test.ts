// Per-variable learning rates (AdamWConfig.lrScales): LoRA+'s parameter groups, PEFT's
// create_loraplus_optimizer (A at lr, B at lr * loraplus_lr_ratio, with torch.optim.AdamW's
// decoupled decay at each group's lr), on the backend's AdamW and on the host-held one alike.
import * as tf from "@tensorflow/tfjs"
import { describe, expect, it } from "vitest"
import { adamW } from "../src/index.ts"
import { hostAdamW } from "../src/state/host-adamw.ts"

const [lr, ratio, wd] = [0.01, 16, 0.1]

/** Step 1 by hand: m̂ = g and v̂ = g², so p' = p (1 - lr wd) - lr g / (|g| + eps) at the variable's group lr. */
const handStep = (p: number[], g: number[], groupLr: number): number[] => p.map((x, i) => x * (1 - groupLr * wd) - (groupLr * g[i]!) / (Math.abs(g[i]!) + 1e-8))

describe("per-variable learning rates (LoRA+)", () => {
  const a0 = [0.3, -1.2]
  const b0 = [0.5, 2]
  const [ga, gb] = [[0.2, -0.7], [-1.5, 0.25]]

  it("the backend AdamW moves B at lr * ratio and A at lr (hand-computed first step, within 1e-6)", async () => {
    const before = tf.memory().numTensors
    const [a, b] = tf.tidy(() => [tf.variable(tf.tensor1d(a0)), tf.variable(tf.tensor1d(b0))])
    const optimizer = adamW([a, b], { lr, weightDecay: wd, lrScales: new Map([[b, ratio]]) })
    const grads = [tf.tensor1d(ga), tf.tensor1d(gb)]
    optimizer.step(new Map([[a, grads[0]!], [b, grads[1]!]]))
    const [gotA, gotB] = [Array.from(await a.data()), Array.from(await b.data())]
    handStep(a0, ga, lr).forEach((x, i) => expect(gotA[i]).toBeCloseTo(x, 6))
    handStep(b0, gb, lr * ratio).forEach((x, i) => expect(gotB[i]).toBeCloseTo(x, 6))
    optimizer.dispose()
    tf.dispose([a, b, ...grads])
    expect(tf.memory().numTensors).toBe(before)
  })

  it("the host-held AdamW does the same", async () => {
    const before = tf.memory().numTensors
    const [a, b] = tf.tidy(() => [tf.variable(tf.tensor1d(a0)), tf.variable(tf.tensor1d(b0))])
    const optimizer = hostAdamW([a, b], { lr, weightDecay: wd, lrScales: new Map([[b, ratio]]) })
    await optimizer.step(new Map([[a, Float32Array.from(ga)], [b, Float32Array.from(gb)]]), lr)
    const [gotA, gotB] = [Array.from(await a.data()), Array.from(await b.data())]
    handStep(a0, ga, lr).forEach((x, i) => expect(gotA[i]).toBeCloseTo(x, 6))
    handStep(b0, gb, lr * ratio).forEach((x, i) => expect(gotB[i]).toBeCloseTo(x, 6))
    tf.dispose([a, b])
    expect(tf.memory().numTensors).toBe(before)
  })
})
