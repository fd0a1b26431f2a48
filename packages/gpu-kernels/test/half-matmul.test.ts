// halfMatMul and gatherTableRows over weights kept as their stored 16-bit values (bf16 or f16,
// two per int32 word): each value is decoded exactly, so the product matches the float64
// reference over the decoded weight within f32 summation error, and a table split by rows
// gathers, tile by tile, exactly the rows of the whole.
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { gatherTableRows, halfMatMul, halfWeight, halfWords, type HalfStorage, type HalfWeight } from "../src/index.ts"
import { halfMatMulKernelName } from "../src/half-matmul/half-matmul-kernel.ts"
import { rowGatherKernelName } from "../src/row-gather/row-gather-kernel.ts"
import { describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, normals, numericalGradient, tensorOf } from "./support/numbers.ts"
import { type Matrix, matMulReference } from "./support/references.ts"

/** Random 16-bit patterns of moderate magnitude (2⁻⁶ to 2²), both signs. */
const randomHalves = (rng: Rng, length: number, storage: HalfStorage): Uint16Array =>
  Uint16Array.from({ length }, () => {
    const sign = rng.int(2) << 15
    return storage === "bf16" ? sign | ((121 + rng.int(8)) << 7) | rng.int(128) : sign | ((9 + rng.int(8)) << 10) | rng.int(1024)
  })

/** The float64 value of a 16-bit pattern, decoded independently of the code under test. */
const decodeHalf = (bits: number, storage: HalfStorage): number => {
  const sign = bits & 0x8000 ? -1 : 1
  const [exponentBits, fractionBits, bias] = storage === "bf16" ? [8, 7, 127] : [5, 10, 15]
  const exponent = (bits >> fractionBits) & ((1 << exponentBits) - 1)
  const fraction = bits & ((1 << fractionBits) - 1)
  return exponent === 0 ? sign * fraction * 2 ** (1 - bias - fractionBits) : sign * (1 + fraction / 2 ** fractionBits) * 2 ** (exponent - bias)
}

const bytesOf = (halves: Uint16Array): Uint8Array => new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength)

// [rows, in, out]: below, at and past the 32×32 tiles; odd element counts (a half-used last word).
type Size = readonly [rows: number, inFeatures: number, out: number]
const sizes: ReadonlyArray<Size> = [
  [1, 1, 1],
  [3, 5, 7],
  [33, 65, 31],
  [70, 96, 45],
]

const example = (storage: HalfStorage, [rows, inFeatures, out]: Size, seed = 7) => {
  const rng = Rng.seeded(seed + rows * 1000 + inFeatures)
  const halves = randomHalves(rng, out * inFeatures, storage)
  const w: Matrix = { values: Float64Array.from(halves, (h) => decodeHalf(h, storage)), rows: out, cols: inFeatures }
  const x: Matrix = { values: normals(rng, rows * inFeatures), rows, cols: inFeatures }
  const weight = halfWeight(bytesOf(halves), [out, inFeatures], storage)
  const xt = tensorOf(x)
  return { x, w, xt, weight, halves, dispose: () => tf.dispose([xt, weight.words]) }
}

describe("halfWords", () => {
  it("views whole words in place, element 2i in the low half, and pads an odd count with zeros", () => {
    const halves = Uint16Array.of(0x1234, 0xabcd, 0x0001)
    expect(Array.from(halfWords(bytesOf(halves)), (w) => w >>> 0)).toEqual([0xabcd1234, 0x00000001])
    const even = bytesOf(Uint16Array.of(1, 2))
    expect(halfWords(even).buffer).toBe(even.buffer)
  })
})

describeOnBackends("halfMatMul", ({ name, runsKernels }) => {
  for (const storage of ["bf16", "f16"] as const) {
    it.each(sizes)(`${storage}: x Wᵀ matches the float64 reference for x [%i, %i], W [%i, in] within 1e-6 of Σ|x w|`, async (...size) => {
      const { x, w, xt, weight, dispose } = example(storage, size)
      const want = matMulReference(x, w, false, true)
      const got = await expectKernelRun(halfMatMulKernelName, runsKernels, () => halfMatMul(xt, weight).data())
      expectScaledError(`halfMatMul ${storage} on ${name} [${size}]`, "Σ|x w|", got, want.product, want.magnitude.map((m) => Math.max(m, 1e-30)), 1e-6)
      dispose()
    })

    it(`${storage}: x W (a weight stored [in, out]) and the gradient with respect to x as central differences`, async () => {
      const { w, weight, dispose } = example(storage, [1, 9, 6])
      // W [6, 9] read as [K = 6, cols = 9]: x [5, 6].
      const x: Matrix = { values: normals(Rng.seeded(3), 5 * 6), rows: 5, cols: 6 }
      const xt = tensorOf(x)
      const want = matMulReference(x, w, false, false)
      const got = await halfMatMul(xt, weight, false).data()
      expectScaledError(`halfMatMul ${storage} x W on ${name}`, "Σ|x w|", got, want.product, want.magnitude, 1e-6)
      const dy = normals(Rng.seeded(12), 5 * 9)
      const upstream = tf.tensor2d(dy, [5, 9])
      const [dx] = await expectKernelRun(halfMatMulKernelName, runsKernels, () => gradientValues((a) => halfMatMul(a!, weight, false), [xt], upstream))
      const numerical = numericalGradient((values) => matMulReference({ ...x, values }, w, false, false).product, x.values, dy)
      expect(errorRelativeToLargest(dx!, numerical)).toBeLessThan(1e-5)
      tf.dispose([xt, upstream])
      dispose()
    })
  }

  it("projects the last axis of x of any rank, and leaks no tensor forward or backward", async () => {
    const { weight, dispose } = example("bf16", [1, 4, 3])
    const x = tf.randomNormal([2, 5, 4])
    expect(halfMatMul(x, weight).shape).toEqual([2, 5, 3])
    await expectNoLeakForwardBackward((a) => halfMatMul(a!, weight), [x])
    tf.dispose(x)
    dispose()
  })
})

describeOnBackends("gatherTableRows", ({ runsKernels }) => {
  const ids = [5, 0, 9, 5, 3, 8]
  for (const storage of ["f32", "bf16", "f16"] as const) {
    it(`${storage}: the rows of a table split in tiles of 4 rows sum to the rows of the whole, zeros for ids outside a tile`, async () => {
      const [rows, cols] = [10, 7]
      const halves = randomHalves(Rng.seeded(5), rows * cols, storage === "f32" ? "bf16" : storage)
      const values = Float64Array.from(halves, (h) => decodeHalf(h, storage === "f32" ? "bf16" : storage))
      const want = ids.flatMap((id) => Array.from(values.subarray(id * cols, (id + 1) * cols)))
      const tile = (first: number, count: number): tf.Tensor2D | HalfWeight =>
        storage === "f32"
          ? tf.tensor2d(Float32Array.from(values.subarray(first * cols, (first + count) * cols)), [count, cols])
          : halfWeight(bytesOf(halves.slice(first * cols, (first + count) * cols)), [count, cols], storage)
      const tiles = [0, 4, 8].map((first) => ({ first, table: tile(first, Math.min(4, rows - first)) }))
      const idTensor = tf.tensor1d(ids, "int32")
      const got = await expectKernelRun(rowGatherKernelName, runsKernels, async () => {
        const parts = tiles.map(({ first, table }) => gatherTableRows(table, idTensor, first))
        const sum = tf.addN(parts)
        const data = await sum.data()
        tf.dispose([...parts, sum])
        return data
      })
      expect(Array.from(got)).toEqual(want)
      const second = gatherTableRows(tiles[1]!.table, idTensor, 4)
      expect(Array.from(await second.data())).toEqual(ids.flatMap((id) => (id >= 4 && id < 8 ? Array.from(values.subarray(id * cols, (id + 1) * cols)) : new Array(cols).fill(0))))
      tf.dispose([second, idTensor, ...tiles.map(({ table }) => ("words" in table ? table.words : table))])
    })
  }
})
