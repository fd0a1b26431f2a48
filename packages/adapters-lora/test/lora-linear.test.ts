import * as tf from "@tensorflow/tfjs"
import { afterAll, describe, expect, it } from "vitest"
import { Rng } from "@peftlab/core"
import type { Linear } from "@peftlab/models"
import { initialLoraA, kaimingUniformBound, loraLinear } from "../src/index.ts"

// A stand-in for the model's frozen module: y = x Wᵀ.
const plainLinear = (weight: tf.Tensor2D): Linear => ({
  name: "model.layers.0.self_attn.q_proj",
  shape: weight.shape,
  readWeight: () => tf.clone(weight),
  apply: (x) => tf.matMul(x as tf.Tensor2D, weight, false, true),
  dispose: () => {},
})

describe("initialLoraA", () => {
  it("draws kaiming-uniform(a = sqrt(5)) values: uniform on ±1/sqrt(in)", () => {
    // Independently: gain = sqrt(2 / (1 + a²)), bound = sqrt(3) * gain / sqrt(fan_in).
    expect(kaimingUniformBound(256)).toBeCloseTo((Math.sqrt(3) * Math.sqrt(2 / 6)) / 16, 12)
    expect(kaimingUniformBound(64)).toBe(0.125)
    const a = initialLoraA(8, 256, Rng.seeded(1))
    expect(a.shape).toEqual([8, 256])
    const values = [...a.dataSync()]
    const bound = 1 / 16
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound)
    expect(Math.max(...values)).toBeGreaterThan(0.95 * bound)
    expect(Math.min(...values)).toBeLessThan(-0.95 * bound)
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length
    expect(Math.abs(mean)).toBeLessThan(0.1 * bound) // 2048 draws: the mean's sd is about 0.013 bound
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.9)
    expect(variance / (bound * bound / 3)).toBeLessThan(1.1)
    expect(initialLoraA(8, 256, Rng.seeded(1)).dataSync()).toEqual(a.dataSync())
    a.dispose()
  })
})

describe("loraLinear", () => {
  const weight = tf.tensor2d([[1, 2], [3, 4], [5, 6]]) // [out 3, in 2]
  const x = tf.tensor2d([[1, -1]])
  afterAll(() => tf.dispose([weight, x]))

  const handModule = () => {
    const module = loraLinear(plainLinear(weight), { r: 1, scale: 2, dropout: 0, rng: Rng.seeded(1) })
    module.loraA.assign(tf.tensor2d([[0.5, 0.25]]))
    module.loraB.assign(tf.tensor2d([[1], [2], [-4]]))
    return module
  }

  it("starts equal to the base (B = 0), then adds scale * B A x", () => {
    const module = loraLinear(plainLinear(weight), { r: 1, scale: 2, dropout: 0, rng: Rng.seeded(1) })
    expect(module.loraB.arraySync()).toEqual([[0], [0], [0]])
    expect(module.apply(x).arraySync()).toEqual([[-1, -1, -1]])
    module.dispose()
    // Hand: x Wᵀ = [-1, -1, -1]; A x = 0.25; 2 * B * 0.25 = [0.5, 1, -2].
    const trained = handModule()
    expect(trained.apply(x).arraySync()).toEqual([[-0.5, 0, -3]])
    trained.dispose()
  })

  it("merges scale * B A into a copy of the weight, leaves the base's tensor alone, and unmerges", () => {
    const module = handModule()
    module.merge()
    expect(module.merged).toBe(true)
    const folded = module.readWeight()
    expect(folded.arraySync()).toEqual([[2, 2.5], [5, 5], [1, 4]])
    folded.dispose()
    expect(weight.arraySync()).toEqual([[1, 2], [3, 4], [5, 6]])
    expect(module.apply(x).arraySync()).toEqual([[-0.5, 0, -3]])
    const tensors = tf.memory().numTensors
    module.unmerge()
    expect(tf.memory().numTensors).toBe(tensors - 2) // the merged weight and its transpose
    expect(module.merged).toBe(false)
    const own = module.readWeight()
    expect(own.dataId).toBe(weight.dataId)
    own.dispose()
    expect(module.apply(x).arraySync()).toEqual([[-0.5, 0, -3]])
    module.dispose()
  })

  it("drops inputs of the LoRA branch only in training mode, with seeded masks", () => {
    const width = 1000
    const make = () => {
      const module = loraLinear(plainLinear(tf.zeros([1, width])), { r: 1, scale: 1, dropout: 0.5, rng: Rng.seeded(7) })
      module.loraA.assign(tf.ones([1, width]))
      module.loraB.assign(tf.ones([1, 1]))
      return module
    }
    const input = tf.ones([1, width])
    const module = make()
    // Evaluation: the branch sums all inputs.
    expect(module.apply(input).dataSync()[0]).toBe(width)
    module.training = true
    // Training: kept inputs are scaled by 1 / (1 - 0.5) = 2, so the sum is twice the kept count,
    // which is Binomial(1000, 0.5): within 5 sd (about 79) of 500.
    const first = module.apply(input).dataSync()[0]!
    expect(first % 2).toBe(0)
    expect(Math.abs(first / 2 - width / 2)).toBeLessThan(79)
    expect(module.apply(input).dataSync()[0]).not.toBe(first)
    const again = make()
    again.training = true
    expect(again.apply(input).dataSync()[0]).toBe(first)
    tf.dispose(input)
    module.dispose()
    again.dispose()
  })
})
