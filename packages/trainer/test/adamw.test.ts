import * as tf from "@tensorflow/tfjs"
import { describe, expect, it } from "vitest"
import { adamW } from "../src/index.ts"

// An independent float64 AdamW following torch.optim.AdamW's documented update.
const referenceAdamW = (p0: number[], grads: number[][], lr: number, wd: number): number[] => {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8]
  const p = p0.slice()
  const m = p.map(() => 0)
  const v = p.map(() => 0)
  grads.forEach((g, k) => {
    const t = k + 1
    for (let i = 0; i < p.length; i++) {
      p[i] = p[i]! * (1 - lr * wd)
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2
      const mHat = m[i]! / (1 - b1 ** t)
      const vHat = v[i]! / (1 - b2 ** t)
      p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps)
    }
  })
  return p
}

describe("adamW", () => {
  it("takes a first step of size lr against the gradient's sign (hand-computed)", () => {
    // Step 1: m̂ = g, v̂ = g², so the update is lr * g / (|g| + eps) = lr * sign(g).
    const w = tf.variable(tf.tensor1d([1, -2, 3]))
    const opt = adamW([w], { lr: 0.1 })
    opt.step(new Map([[w, tf.tensor1d([0.5, -4, 0])]]))
    const got = Array.from(w.dataSync())
    expect(got[0]).toBeCloseTo(0.9, 6)
    expect(got[1]).toBeCloseTo(-1.9, 6)
    expect(got[2]).toBeCloseTo(3, 6)
    opt.dispose()
    w.dispose()
  })

  it("matches a float64 AdamW with decoupled weight decay over several steps (tolerance 1e-5)", () => {
    const p0 = [0.3, -1.2, 2.5, 0]
    const grads = [
      [0.1, -0.2, 0.3, 1],
      [0.05, 0.4, -0.1, -1],
      [-0.3, 0.1, 0.2, 0.5],
      [0.2, -0.6, 0.05, 0],
    ]
    const w = tf.variable(tf.tensor1d(p0))
    const opt = adamW([w], { lr: 0.01, weightDecay: 0.1 })
    for (const g of grads) tf.tidy(() => opt.step(new Map([[w, tf.tensor1d(g)]])))
    const expected = referenceAdamW(p0, grads, 0.01, 0.1)
    Array.from(w.dataSync()).forEach((x, i) => expect(Math.abs(x - expected[i]!)).toBeLessThan(1e-5))
    expect(opt.stepCount()).toBe(4)
    opt.dispose()
    w.dispose()
  })

  it("saves its moments and step count, and a restored optimizer continues identically", async () => {
    const grads = [[0.1, -0.2], [0.05, 0.4], [-0.3, 0.1]]
    const w = tf.variable(tf.tensor1d([0.3, -1.2]))
    const opt = adamW([w], { lr: 0.01 })
    tf.tidy(() => opt.step(new Map([[w, tf.tensor1d(grads[0]!)]])))
    const state = await opt.state()
    // After one step m = (1 - beta1) g and s = (1 - beta2) g².
    expect(state.t).toBe(1)
    Array.from(state.m[0]!).forEach((m, i) => expect(m).toBeCloseTo(0.1 * grads[0]![i]!, 7))
    Array.from(state.s[0]!).forEach((s, i) => expect(s).toBeCloseTo(0.001 * grads[0]![i]! ** 2, 9))
    const copy = tf.variable(w.clone())
    const resumed = adamW([copy], { lr: 0.01 })
    resumed.restore(state)
    for (const g of grads.slice(1)) {
      tf.tidy(() => opt.step(new Map([[w, tf.tensor1d(g)]])))
      tf.tidy(() => resumed.step(new Map([[copy, tf.tensor1d(g)]])))
    }
    expect(Array.from(await copy.data())).toEqual(Array.from(await w.data()))
    expect(resumed.stepCount()).toBe(3)
    tf.dispose([w, copy])
    opt.dispose()
    resumed.dispose()
  })

  it("refuses a gradient for a variable it does not optimise", () => {
    const a = tf.variable(tf.scalar(1))
    const b = tf.variable(tf.scalar(1))
    const opt = adamW([a], { lr: 0.1 })
    expect(() => opt.step(new Map([[b, tf.scalar(1)]]))).toThrow(/not being optimised/)
    tf.dispose([a, b])
    opt.dispose()
  })
})
