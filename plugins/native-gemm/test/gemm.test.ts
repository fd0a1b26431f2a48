// The native GEMM against a float64 reference on shapes that miss its tiles and blocks (odd M, N
// and K, one row, K = 1, K over several 256-deep slices, M past a row block, N past a 4096-wide
// panel), in all four transpose combinations, on every kernel variant this CPU runs (avx512, avx2
// and the sse2 fallback here), each forced by name. Tolerance: 1e-5 of each output's Σ_k |a·b|
// (a float32 sum of K terms errs by at most about K · 2^-24 of it; these stay near 1e-7). The
// summation order differs from XNNPACK's (FMA, 256-deep slices), so equality is not asserted.
// Skipped, with the loader's reason, where the prebuilt cannot load.
import { describe, expect, it } from "vitest"
import { loadNativeGemm } from "../src/index.ts"
import { reference, values, worstRelativeError } from "./fixtures/reference.ts"

const best = loadNativeGemm()
const skipReason = best.gemm === undefined ? ` (skipped: ${best.reason})` : ""
const kernels = best.gemm?.info().supported ?? []
const combinations = [false, true].flatMap((transposeA) => [false, true].map((transposeB) => ({ transposeA, transposeB })))
// [m, n, k]
const shapes = [[7, 13, 5], [1, 37, 300], [9, 1, 17], [11, 10, 1], [12, 32, 256], [200, 33, 7], [5, 9, 1100], [3, 4100, 5], [29, 70, 513]] as const

describe.skipIf(best.gemm === undefined)(`the native GEMM${skipReason}`, () => {
  for (const kernel of kernels) {
    it(`${kernel}: matches a float64 reference within 1e-5 of Σ|a·b| on shapes off its blocks, for every transpose combination`, () => {
      const load = loadNativeGemm({ kernel })
      expect(load.gemm?.info()).toMatchObject({ kernel: { name: kernel }, forced: true })
      for (const [m, n, k] of shapes) {
        for (const { transposeA, transposeB } of combinations) {
          const [a, b] = [values(m * k, m + k), values(k * n, n + 3 * k)]
          const c = new Float32Array(m * n).fill(Number.NaN)
          load.gemm!.gemm(a, b, c, m, n, k, transposeA, transposeB)
          const { product, magnitude } = reference(a, b, m, n, k, transposeA, transposeB)
          expect(worstRelativeError(c, product, magnitude), `${kernel} [${m}, ${n}, ${k}] transposeA ${transposeA} transposeB ${transposeB}`).toBeLessThan(1e-5)
        }
      }
    })
  }

  it("picks the fastest kernel the CPU runs unless one is asked for", () => {
    expect(best.gemm!.info()).toMatchObject({ kernel: { name: kernels[0] }, forced: false })
    expect(kernels.at(-1)).toBe("sse2")
  })

  it("writes zeros for K = 0 and nothing for an empty C", () => {
    const c = new Float32Array(6).fill(7)
    best.gemm!.gemm(new Float32Array(0), new Float32Array(0), c, 2, 3, 0, false, false)
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0])
    expect(() => best.gemm!.gemm(new Float32Array(0), new Float32Array(5), new Float32Array(0), 0, 5, 1, false, false)).not.toThrow()
  })
})
