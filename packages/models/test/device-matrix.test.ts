// Device matrices (weights "device") on cpu, where their ops take the composed fallbacks: a
// stored matrix split in row tiles under a byte limit, read back exactly as stored, multiplied
// tile by tile as the float32 matrix is, and refused where a single row exceeds the limit.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { beforeAll, describe, expect, it } from "vitest"
import { deviceLinear, quantizeNf4, rowsPerTile, TileSizeError, uploadNf4Matrix, uploadStoredMatrix } from "../src/index.ts"
import { embedTokens } from "../src/layers/embedding.ts"
import { DeviceEmbeddingError } from "../src/device/device-embedding.ts"

/** bf16 bytes of `values` (each value must be a bf16, i.e. have a zero low half). */
const bf16Bytes = (values: Float32Array): Uint8Array => {
  const halves = Uint16Array.from(new Uint32Array(values.buffer), (word) => word >>> 16)
  return new Uint8Array(halves.buffer)
}

describe("device matrices on cpu", () => {
  beforeAll(() => cpu.setup())

  // A [7, 5] matrix of exact bf16 values.
  const values = Float32Array.from({ length: 35 }, (_, i) => (i - 17) / 8)

  it("splits into tiles of whole rows under the byte limit, and refuses a row larger than it", () => {
    expect(rowsPerTile(7, 5, 2, 25)).toBe(2)
    expect(rowsPerTile(7, 5, 2, Infinity)).toBe(7)
    expect(() => rowsPerTile(7, 5, 4, 19)).toThrow(TileSizeError)
    const matrix = uploadStoredMatrix("BF16", [7, 5], bf16Bytes(values), 25)
    expect(matrix.tiles.map((tile) => [tile.firstRow, tile.table.shape[0]])).toEqual([[0, 2], [2, 2], [4, 2], [6, 1]])
    matrix.dispose()
  })

  it("computes what the float32 matrix computes, tile by tile: x Wᵀ, dy W and the weight itself; embeddings gather its rows", async () => {
    const before = tf.memory().numTensors
    const matrix = uploadStoredMatrix("BF16", [7, 5], bf16Bytes(values), 25)
    const weight = tf.tensor2d(values, [7, 5])
    const module = deviceLinear("m", matrix)
    const x = tf.tensor2d(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), [3, 5])
    const dy = tf.tensor2d(Float32Array.from({ length: 21 }, (_, i) => Math.cos(i)), [3, 7])
    const ids = tf.tensor2d([[6, 0, 3]], [1, 3], "int32")
    const pairs: Array<[tf.Tensor, tf.Tensor]> = [
      [module.apply(x), tf.matMul(x, weight, false, true)],
      [module.multiplyByWeight!(dy), tf.matMul(dy, weight)],
      [tf.grad((input: tf.Tensor) => module.apply(input).mul(dy).sum())(x), tf.matMul(dy, weight)],
      [module.readWeight(), weight.clone()],
      [embedTokens(matrix, ids), tf.tidy(() => tf.gather(weight, ids.reshape([3])).expandDims(0))],
    ]
    for (const [got, want] of pairs) {
      expect(got.shape).toEqual(want.shape)
      const [g, w] = [await got.data(), await want.data()]
      for (let i = 0; i < w.length; i++) expect(g[i]).toBeCloseTo(w[i] as number, 5)
    }
    tf.dispose([x, dy, ids, weight, ...pairs.flat()])
    matrix.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it("refuses an NF4 matrix as a token embedding", () => {
    const matrix = uploadNf4Matrix(quantizeNf4(values), [7, 5])
    const ids = tf.tensor2d([[1]], [1, 1], "int32")
    expect(() => embedTokens(matrix, ids)).toThrow(DeviceEmbeddingError)
    tf.dispose(ids)
    matrix.dispose()
  })
})
