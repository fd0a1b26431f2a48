// The plugin's UnsortedSegmentSum kernel against tfjs's cpu backend, which has its own: both as
// an op and as the gradient of tf.gather with respect to the table (how embeddings train).
// Inputs are integer-valued floats, so every sum is exact and the backends must agree exactly.
import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin } from "../src/index.ts"
import { integers, onBoth } from "./compare-with-cpu.ts"

describe("UnsortedSegmentSum on the wasm backend", () => {
  beforeAll(async () => {
    await plugin.setup()
  })

  it("sums rows of a 2-D x into their segments, repeated ids added up, as by hand", async () => {
    const { wasm } = await onBoth(() => tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([2, 0, 2, 3], "int32"), 4))
    // Segment 0: row 1; segment 1: nothing; segment 2: rows 0 and 2; segment 3: row 3.
    expect(wasm).toEqual([[3, 4], [0, 0], [6, 8], [7, 8]])
  })

  it("equals the cpu backend with repeated ids, ids at both ends of the range, and a 3-D x", async () => {
    const ids = [0, 4, 4, 1, 0, 4, 2]
    for (const shape of [[7], [7, 3], [7, 2, 3]]) {
      const { cpu, wasm } = await onBoth(() => tf.unsortedSegmentSum(integers(shape), tf.tensor1d(ids, "int32"), 5))
      expect(wasm).toEqual(cpu)
    }
  })

  it("drops ids outside [0, numSegments), as TensorFlow does", async () => {
    const { cpu, wasm } = await onBoth(() => tf.unsortedSegmentSum(integers([6, 2]), tf.tensor1d([-1, 0, 3, 2, 5, 2], "int32"), 3))
    expect(wasm).toEqual(cpu)
    // Only rows 1 (id 0), 3 and 5 (id 2) land: rows are [1,-2] [3,-4] [5,-6] [7,-8] [9,-10] [11,-12].
    expect(wasm).toEqual([[3, -4], [0, 0], [7 + 11, -8 - 12]])
  })
})

describe("the gradient of tf.gather on the wasm backend", () => {
  /** d/dtable of sum(gather(table, ids) * weights): each gathered row's weights summed into its table row. */
  const gatherGradient = (tableShape: Array<number>, ids: Array<Array<number>>) => () => {
    const indices = tf.tensor2d(ids, undefined, "int32")
    const weights = integers([...indices.shape, ...tableShape.slice(1)])
    return tf.grad((table: tf.Tensor) => tf.sum(tf.mul(tf.gather(table, indices), weights)))(integers(tableShape))
  }

  it("equals the cpu backend's for a batch of token ids with repeats and the first and last rows", async () => {
    // A [batch, time] block of ids into a 6-row table, as an embedding lookup makes.
    const ids = [[0, 5, 5, 2], [2, 0, 5, 3]]
    for (const shape of [[6, 4], [6, 2, 3]]) {
      const { cpu, wasm } = await onBoth(gatherGradient(shape, ids))
      expect(wasm).toEqual(cpu)
    }
  })

  it("matches a hand-computed gradient: rows never gathered get zero", async () => {
    const { wasm } = await onBoth(gatherGradient([4, 2], [[3, 1, 3]]))
    // weights rows [1,-2] [3,-4] [5,-6]: row 1 gets the 2nd, row 3 the 1st plus the 3rd.
    expect(wasm).toEqual([[0, 0], [3, -4], [0, 0], [6, -8]])
  })
})
