// The packed-weight GEMM (x · Wᵀ and x · W with W kept as bf16 bits or NF4 codes, dequantized while
// its panels are packed) against a float64 product with the widened weight, on every kernel
// variant this CPU runs, forced by name: odd shapes that miss the tiles, depths over several
// 256-deep slices, NF4 blocks of 64 and of 37 (so blocks start mid-byte and mid-panel), and a
// bias. Tolerance: 1e-5 of each output's Σ|x·w| (float32 sums of K terms; typically near 1e-7).
// Then the widened values themselves: multiplying by the identity reads W back exactly, and it
// must equal @peftlab/models' dequantizeNf4 (bitsandbytes' NF4 values) bit for bit. Skipped, with
// the loader's reason, where the prebuilt cannot load.
import { describe, expect, it } from "vitest"
import { loadNativeGemm, packedStorages, type NativeGemm } from "../src/index.ts"
import { packWeight, type PackedWeight } from "./fixtures/packed-weights.ts"
import { reference, values, worstRelativeError } from "./fixtures/reference.ts"

const best = loadNativeGemm()
const skipReason = best.gemm === undefined ? ` (skipped: ${best.reason})` : ""
const kernels = best.gemm?.info().supported ?? []
// [m, n, k]: W is [n, k] for x · Wᵀ and [k, n] for x · W.
const shapes = [[7, 13, 5], [1, 37, 300], [29, 70, 513], [13, 33, 257], [200, 45, 67], [4, 4100, 3]] as const
const weights = [
  { storage: "BF16", blockSize: 0 },
  { storage: "NF4", blockSize: 64 },
  { storage: "NF4", blockSize: 37 },
] as const

const multiply = (gemm: NativeGemm, x: Float32Array, weight: PackedWeight, m: number, n: number, k: number, transposeWeight: boolean, bias: Float32Array | null = null) => {
  const c = new Float32Array(m * n).fill(Number.NaN)
  gemm.packedGemm(x, weight.bytes, weight.absmax, bias, c, m, n, k, weight.storage, weight.blockSize, transposeWeight)
  return c
}

describe.skipIf(best.gemm === undefined)(`the native packed-weight GEMM${skipReason}`, () => {
  for (const kernel of kernels) {
    it(`${kernel}: x·Wᵀ and x·W by bf16 and NF4 weights match a float64 product with the widened weight within 1e-5 of Σ|x·w|`, () => {
      const gemm = loadNativeGemm({ kernel }).gemm!
      for (const [m, n, k] of shapes)
        for (const { storage, blockSize } of weights)
          for (const transposeWeight of [true, false]) {
            const weight = packWeight(values(n * k, n + 5 * k), storage, blockSize)
            const x = values(m * k, m + k)
            const { product, magnitude } = reference(x, weight.widened, m, n, k, false, transposeWeight)
            const label = `${kernel} ${storage}/${blockSize} [${m}, ${n}, ${k}] transposeWeight ${transposeWeight}`
            expect(worstRelativeError(multiply(gemm, x, weight, m, n, k, transposeWeight), product, magnitude), label).toBeLessThan(1e-5)
          }
    })

    it(`${kernel}: reads bf16 and NF4 weights back bit for bit as @peftlab/models widens them (x the identity)`, () => {
      const gemm = loadNativeGemm({ kernel }).gemm!
      const [rows, cols] = [45, 301]
      for (const { storage, blockSize } of weights) {
        const weight = packWeight(values(rows * cols, 11), storage, blockSize)
        const identity = (size: number) => Float32Array.from({ length: size * size }, (_, i) => (i % (size + 1) === 0 ? 1 : 0))
        // I [rows, rows] · W [rows, cols] = W, and I [cols, cols] · Wᵀ = Wᵀ.
        const asStored = multiply(gemm, identity(rows), weight, rows, cols, rows, false)
        const transposed = multiply(gemm, identity(cols), weight, cols, rows, cols, true)
        const backAgain = Float32Array.from({ length: rows * cols }, (_, i) => transposed[(i % cols) * rows + Math.floor(i / cols)]!)
        const bits = (floats: Float32Array) => new Uint32Array(floats.buffer, floats.byteOffset, floats.length)
        expect(bits(asStored), `${kernel} ${storage}/${blockSize} x·W`).toEqual(bits(weight.widened))
        expect(bits(backAgain), `${kernel} ${storage}/${blockSize} x·Wᵀ`).toEqual(bits(weight.widened))
      }
    })
  }

  it("adds the bias to every row", () => {
    const [m, n, k] = [5, 19, 70]
    const weight = packWeight(values(n * k, 3), "NF4", 64)
    const [x, bias] = [values(m * k, 4), values(n, 5)]
    const { product, magnitude } = reference(x, weight.widened, m, n, k, false, true)
    const withBias = product.map((value, i) => value + bias[i % n]!)
    expect(worstRelativeError(multiply(best.gemm!, x, weight, m, n, k, true, bias), withBias, magnitude.map((v, i) => v + Math.abs(bias[i % n]!)))).toBeLessThan(1e-5)
  })

  it("refuses a weight that does not cover its shape, a storage it does not know and overlapping C before writing", () => {
    const gemm = best.gemm!
    const [m, n, k] = [2, 3, 4]
    const [x, c] = [values(m * k, 1), new Float32Array(m * n).fill(9)]
    const nf4 = packWeight(values(n * k, 2), "NF4", 5)
    const bf16 = packWeight(values(n * k, 2), "BF16", 0)
    expect(packedStorages).toEqual(["BF16", "NF4"])
    expect(() => gemm.packedGemm(x, bf16.bytes.subarray(1), null, null, c, m, n, k, "BF16", 0, true)).toThrow(/bf16 weight \[3, 4\]: expected 24 bytes and no absmax, got 23 bytes/)
    expect(() => gemm.packedGemm(x, nf4.bytes, nf4.absmax!.subarray(1), null, c, m, n, k, "NF4", 5, true)).toThrow(/at least 6 code bytes and 3 scales, got 6 and 2/)
    expect(() => gemm.packedGemm(x, nf4.bytes, null, null, c, m, n, k, "NF4", 5, true)).toThrow(/absmax: expected a Float32Array/)
    expect(() => gemm.packedGemm(x, nf4.bytes, nf4.absmax, null, c, m, n, k, "NF4", 0, true)).toThrow(RangeError)
    expect(() => gemm.packedGemm(x, nf4.bytes, nf4.absmax, null, c, m, n, k, "F16" as "NF4", 5, true)).toThrow(/storage: expected BF16 or NF4, got "F16"/)
    expect(() => gemm.packedGemm(x, new Uint16Array(12) as unknown as Uint8Array, null, null, c, m, n, k, "BF16", 0, true)).toThrow(/weight: expected a Uint8Array/)
    expect(() => gemm.packedGemm(x, bf16.bytes, null, values(n + 1, 3), c, m, n, k, "BF16", 0, true)).toThrow(/expected 8, 6 and 3 \(or no bias\)/)
    const shared = new Float32Array(20)
    expect(() => gemm.packedGemm(shared.subarray(0, 8), bf16.bytes, null, null, shared.subarray(6, 12), m, n, k, "BF16", 0, true)).toThrow(/c overlaps x/)
    expect(Array.from(c)).toEqual([9, 9, 9, 9, 9, 9])
  })
})
