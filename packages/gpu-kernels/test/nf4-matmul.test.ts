import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { beforeAll, describe, expect, it } from "vitest"
import { nf4Dequantize, nf4MatMul, nf4MatMulComposed, nf4WeightTensors, type PackedNf4 } from "../src/index.ts"
import { nf4Levels } from "../src/nf4-matmul/nf4-levels.ts"
import { nf4MatMulKernelName } from "../src/nf4-matmul/nf4-matmul-kernel.ts"
import { backends, describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, maxScaledError, normals, numericalGradient, tensorOf } from "./support/numbers.ts"
import { type Matrix, matMulReference, nf4DequantizeReference } from "./support/references.ts"

// [rows, in, out, blockSize]: below, at and past the 32×32 output tiles and 32-wide inner steps;
// odd element counts (a last half-used byte and word), blocks that straddle W's rows, a last
// shorter block, one block for all of W.
type Size = readonly [rows: number, inFeatures: number, out: number, blockSize: number]
const sizes: ReadonlyArray<Size> = [
  [1, 1, 1, 64],
  [3, 5, 7, 4],
  [33, 65, 31, 64],
  [64, 64, 64, 32],
  [70, 200, 45, 48],
  [5, 13, 11, 1000],
]

/** bitsandbytes-packed random codes and scales for W [out, in]: every code and nibble position occurs. */
const randomNf4 = (rng: Rng, [out, inFeatures]: readonly [number, number], blockSize: number): PackedNf4 => {
  const length = out * inFeatures
  const codes = Uint8Array.from({ length: Math.ceil(length / 2) }, (_, i) => (2 * i + 1 < length ? rng.int(256) : rng.int(16) * 16))
  const absmax = Float32Array.from({ length: Math.ceil(length / blockSize) }, () => 0.1 + 2 * rng.next())
  return { codes, absmax, length, blockSize }
}


/** x [rows, in] and an NF4 W [out, in], with the float64 reference's product and Σ|x w| per output. */
const example = ([rows, inFeatures, out, blockSize]: Size, seed = rows * 1e6 + inFeatures * 1e3 + out) => {
  const rng = Rng.seeded(seed)
  const packed = randomNf4(rng, [out, inFeatures], blockSize)
  const x: Matrix = { values: normals(rng, rows * inFeatures), rows, cols: inFeatures }
  const w = nf4DequantizeReference(packed.codes, packed.absmax, [out, inFeatures], blockSize, nf4Levels)
  const want = matMulReference(x, w, false, true)
  const weight = nf4WeightTensors(packed, [out, inFeatures])
  const xt = tensorOf(x)
  return { packed, x, w, xt, weight, want: { product: want.product, magnitude: want.magnitude.map((v) => Math.max(v, 1e-30)) }, dispose: () => tf.dispose([xt, weight.codes, weight.absmax]) }
}

describe("nf4WeightTensors", () => {
  it("packs bitsandbytes' bytes into int32 words, four bytes each, read little-endian", async () => {
    const packed: PackedNf4 = { codes: Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a), absmax: Float32Array.of(2, 3), length: 9, blockSize: 5 }
    const { codes, absmax, shape, blockSize } = nf4WeightTensors(packed, [3, 3])
    expect(codes.dtype).toBe("int32")
    // 0x78563412 and 0x0000009a
    expect(Array.from(await codes.data())).toEqual([2018915346, 154])
    expect(Array.from(await absmax.data())).toEqual([2, 3])
    expect([shape, blockSize]).toEqual([[3, 3], 5])
    tf.dispose([codes, absmax])
  })

  it("rejects codes or scales that do not fit the shape", () => {
    const packed: PackedNf4 = { codes: new Uint8Array(3), absmax: new Float32Array(1), length: 6, blockSize: 64 }
    expect(() => nf4WeightTensors(packed, [2, 4])).toThrow("nf4WeightTensors: W [2,4] needs 8 values in 4 bytes and 1 scales; got 6 values in 3 bytes and 1 scales")
  })
})

describeOnBackends("nf4MatMul", ({ name, runsKernels }) => {
  it.each(sizes)("matches the float64 reference (dequantize, then x Wᵀ) for x [%i, %i], W [%i, in], blocks of %i within 1e-6 of Σ|x w|", async (...size) => {
    const { xt, weight, want, dispose } = example(size)
    const got = await expectKernelRun(nf4MatMulKernelName, runsKernels, () => nf4MatMul(xt, weight).data())
    expectScaledError(`nf4MatMul on ${name} [${size}]`, "Σ|x w|", got, want.product, want.magnitude, 1e-6)
    dispose()
  })

  it("projects the last axis of x of any rank", async () => {
    // W = [[1, -1], [0, 1]]: codes 15, 0, 7, 15 with absmax 1 in one block.
    const weight = nf4WeightTensors({ codes: Uint8Array.of(0xf0, 0x7f), absmax: Float32Array.of(1), length: 4, blockSize: 4 }, [2, 2])
    const x = tf.tensor3d([[[1, 2]], [[3, -5]]])
    const y = nf4MatMul(x, weight)
    expect(y.shape).toEqual([2, 1, 2])
    expect(Array.from(await y.data())).toEqual([-1, 2, 8, -5])
    tf.dispose([x, y, weight.codes, weight.absmax])
  })

  it("differentiates with respect to x like central differences, within 1e-5 of the largest gradient", async () => {
    const { x, w, xt, weight, dispose } = example([5, 9, 6, 4], 11)
    const dy = normals(Rng.seeded(12), 5 * 6)
    const upstream = tf.tensor2d(dy, [5, 6])
    const [dx] = await expectKernelRun(nf4MatMulKernelName, runsKernels, () => gradientValues((a) => nf4MatMul(a!, weight), [xt], upstream))
    const want = numericalGradient((values) => matMulReference({ ...x, values }, w, false, true).product, x.values, dy)
    const error = errorRelativeToLargest(dx!, want)
    console.log(`nf4MatMul gradient on ${name}: max error / max |gradient| ${error.toExponential(2)}`)
    expect(error).toBeLessThan(1e-5)
    tf.dispose(upstream)
    dispose()
  })

  it("leaks no tensor, forward or backward", async () => {
    const { xt, weight, dispose } = example([40, 50, 30, 64])
    await expectNoLeakForwardBackward((a) => nf4MatMul(a!, weight), [xt])
    dispose()
  })

  it("rejects x whose last axis is not W's in", () => {
    const { weight, dispose } = example([2, 3, 4, 64])
    const x = tf.zeros([2, 5])
    expect(() => nf4MatMul(x, weight)).toThrow("nf4MatMul: x [2,5] needs W [out, 5]; W [4,3] in blocks of 64 needs 2 code words and 1 scales, got 2 and 1")
    tf.dispose(x)
    dispose()
  })
})

// nf4Dequantize reads the codes synchronously, which tfjs's webgpu backend cannot under Node once
// they are on the GPU: the composed path is cpu's (and any backend's but webgpu).
describe("nf4Dequantize and nf4MatMulComposed on cpu", () => {
  beforeAll(() => backends[0]!.plugin.setup())

  it("dequantizes exactly as float32 level × absmax, element i in byte i >> 1's high nibble when even", async () => {
    const { packed, weight, dispose } = example([1, 37, 5, 16])
    const want = Array.from(nf4DequantizeReference(packed.codes, packed.absmax, [5, 37], 16, nf4Levels).values, Math.fround)
    const w = nf4Dequantize(weight)
    expect(w.shape).toEqual([5, 37])
    expect(Array.from(await w.data())).toEqual(want)
    tf.dispose(w)
    dispose()
  })

  it("has nf4MatMulComposed match the float64 reference within 1e-6 of Σ|x w|", async () => {
    const { xt, weight, want, dispose } = example([33, 65, 31, 64])
    const got = await expectKernelRun(nf4MatMulKernelName, false, () => nf4MatMulComposed(xt, weight).data())
    expect(maxScaledError(got, want.product, want.magnitude)).toBeLessThan(1e-6)
    dispose()
  })
})
