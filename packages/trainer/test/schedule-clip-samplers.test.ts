import * as tf from "@tensorflow/tfjs"
import { describe, expect, it } from "vitest"
import { Rng } from "@peftlab/core"
import { batchesOf, classBalanced, clipByGlobalNorm, globalNorm, learningRate, lengthGrouped, shuffled } from "../src/index.ts"

describe("learningRate", () => {
  // transformers: warmup lambda t / warmup; linear decay (total - t) / (total - warmup);
  // cosine 0.5 * (1 + cos(pi * progress)), with t the 0-based count of earlier steps.
  const config = { lr: 1, warmupSteps: 2, totalSteps: 10 }
  it("warms up linearly from 0", () => {
    expect(learningRate(1, { ...config, decay: "linear" })).toBe(0)
    expect(learningRate(2, { ...config, decay: "linear" })).toBe(0.5)
    expect(learningRate(3, { ...config, decay: "linear" })).toBe(1)
  })
  it("decays linearly to 0 at the end", () => {
    expect(learningRate(10, { ...config, decay: "linear" })).toBeCloseTo(1 / 8, 12)
    expect(learningRate(11, { ...config, decay: "linear" })).toBe(0)
  })
  it("follows a half cosine, at half the rate halfway", () => {
    expect(learningRate(7, { ...config, decay: "cosine" })).toBeCloseTo(0.5, 12)
    expect(learningRate(3, { ...config, decay: "cosine" })).toBeCloseTo(1, 12)
  })
  it("stays constant by default", () => {
    expect(learningRate(9, { lr: 0.3, totalSteps: 10 })).toBe(0.3)
  })
})

describe("globalNorm", () => {
  it("is the L2 norm of all gradients taken together, 0 for none", async () => {
    const grads = [tf.tensor2d([[1], [2]]), tf.tensor1d([2])] // sqrt(1 + 4 + 4) = 3
    const norm = globalNorm(grads)
    const none = globalNorm([])
    expect((await norm.data())[0]).toBeCloseTo(3, 6)
    expect((await none.data())[0]).toBe(0)
    tf.dispose([...grads, norm, none])
  })
})

describe("clipByGlobalNorm", () => {
  it("scales every gradient by max_norm / (norm + 1e-6) when the norm is larger", async () => {
    const grads = [tf.tensor1d([3]), tf.tensor1d([4])] // global norm 5
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1)
    expect((await norm.data())[0]).toBeCloseTo(5, 6)
    expect((await clipped[0]!.data())[0]).toBeCloseTo(3 / (5 + 1e-6), 6)
    expect((await clipped[1]!.data())[0]).toBeCloseTo(4 / (5 + 1e-6), 6)
    tf.dispose([...grads, ...clipped, norm])
  })
  it("leaves gradients under the limit as they are", async () => {
    const grads = [tf.tensor1d([0.3, 0.4])]
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1)
    expect(Array.from(await clipped[0]!.data())).toEqual(Array.from(await grads[0]!.data()))
    tf.dispose([...grads, ...clipped, norm])
  })
  it("makes only the tensors it returns", () => {
    const grads = [tf.tensor1d([3]), tf.tensor1d([4])]
    const before = tf.memory().numTensors
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1)
    expect(tf.memory().numTensors - before).toBe(3)
    tf.dispose([...grads, ...clipped, norm])
  })
})

describe("samplers", () => {
  const examples = [...Array.from({ length: 90 }, (_, i) => ({ id: i, label: "a" })), ...Array.from({ length: 10 }, (_, i) => ({ id: 90 + i, label: "b" }))]

  it("shuffled gives every example once", () => {
    const order = shuffled<(typeof examples)[number]>()(examples, Rng.seeded(1))
    expect(order.map((e) => e.id).sort((x, y) => x - y)).toEqual(examples.map((e) => e.id))
  })

  it("classBalanced draws each class about equally often, deterministically for a seed", () => {
    const sampler = classBalanced<(typeof examples)[number]>((e) => e.label)
    let bs = 0
    for (let epoch = 0; epoch < 50; epoch++) bs += sampler(examples, Rng.seeded(epoch)).filter((e) => e.label === "b").length
    // 5000 draws with p = 0.5: sd 35, so 2500 +- 200 is over 5 sd.
    expect(Math.abs(bs - 2500)).toBeLessThan(200)
    expect(sampler(examples, Rng.seeded(3))).toEqual(sampler(examples, Rng.seeded(3)))
    expect(sampler(examples, Rng.seeded(3))).toHaveLength(100)
  })
})

describe("lengthGrouped", () => {
  // 103 examples of lengths 1..103 in batches of 4 (25 full and one of 3), mega-batches of 40.
  const examples = Array.from({ length: 103 }, (_, i) => ({ id: i, length: ((i * 37) % 103) + 1 }))
  const sampler = lengthGrouped((e: (typeof examples)[number]) => e.length, 4, 10)

  it("takes every example once, in batches of similar lengths, the short batch last", () => {
    const order = sampler(examples, Rng.seeded(3))
    expect(order.map((e) => e.id).sort((a, b) => a - b)).toEqual(examples.map((e) => e.id))
    const batches = batchesOf(order, 4)
    expect(batches.at(-1)).toHaveLength(3)
    // Padding: the sum over batches of (longest - each) is far below a plain shuffle's.
    const padding = (bs: ReadonlyArray<ReadonlyArray<{ length: number }>>) =>
      bs.reduce((sum, b) => sum + b.reduce((s, e) => s + Math.max(...b.map((x) => x.length)) - e.length, 0), 0)
    const plain = padding(batchesOf(shuffled<(typeof examples)[number]>()(examples, Rng.seeded(3)), 4))
    expect(padding(batches)).toBeLessThan(plain / 5)
  })

  it("draws a different order of batches for another seed, and the same for the same seed", () => {
    const ids = (seed: number) => sampler(examples, Rng.seeded(seed)).map((e) => e.id)
    expect(ids(3)).toEqual(ids(3))
    expect(ids(4)).not.toEqual(ids(3))
  })
})
