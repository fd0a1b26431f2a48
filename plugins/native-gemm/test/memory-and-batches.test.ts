// The native GEMM on operands that live elsewhere than a plain Float32Array's own buffer — a
// WebAssembly.Memory (as tfjs-wasm's heap is), at offsets, with C in the same memory — and its
// batched form (per-product and shared operands), each against single products or the float64
// reference; plus the argument checks that keep it from writing out of bounds. Skipped, with the
// loader's reason, where the prebuilt cannot load.
import { describe, expect, it } from "vitest"
import { loadNativeGemm } from "../src/index.ts"
import { reference, values, worstRelativeError } from "./fixtures/reference.ts"

// The WebAssembly API as far as it is used here (the project's TypeScript libraries do not declare it).
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer } }

const load = loadNativeGemm()
const skipReason = load.gemm === undefined ? ` (skipped: ${load.reason})` : ""

describe.skipIf(load.gemm === undefined)(`the native GEMM's operands${skipReason}`, () => {
  const native = load.gemm!

  it("multiplies in place inside a WebAssembly.Memory, matching the float64 reference within 1e-5 of Σ|a·b|", () => {
    const [m, n, k] = [37, 45, 130]
    const memory = new WebAssembly.Memory({ initial: 2 })
    // Unaligned starts (4-byte steps) inside one wasm heap, as tfjs-wasm's tensors lie.
    const a = values(m * k, 3, new Float32Array(memory.buffer, 4, m * k))
    const b = values(k * n, 5, new Float32Array(memory.buffer, 4 + m * k * 4 + 12, k * n))
    const c = new Float32Array(memory.buffer, b.byteOffset + b.byteLength + 8, m * n)
    native.gemm(a, b, c, m, n, k, true, false)
    const { product, magnitude } = reference(a, b, m, n, k, true, false)
    expect(worstRelativeError(c, product, magnitude)).toBeLessThan(1e-5)
    const copy = new Float32Array(m * n)
    native.gemm(a.slice(), b.slice(), copy, m, n, k, true, false)
    expect(Array.from(c)).toEqual(Array.from(copy))
  })

  it("computes each product of a batch as the single product, with A or B shared by all", () => {
    const [batch, m, n, k] = [3, 5, 19, 33]
    const [a, b] = [values(batch * m * k, 1), values(batch * k * n, 2)]
    const single = (aAt: number, bAt: number) => {
      const c = new Float32Array(m * n)
      native.gemm(a.subarray(aAt * m * k, (aAt + 1) * m * k), b.subarray(bAt * k * n, (bAt + 1) * k * n), c, m, n, k, false, true)
      return Array.from(c)
    }
    const c = new Float32Array(batch * m * n)
    native.batchedGemm(a, b, c, batch, m, n, k, false, true)
    expect(Array.from(c)).toEqual([0, 1, 2].flatMap((p) => single(p, p)))
    native.batchedGemm(a, b.subarray(0, k * n), c, batch, m, n, k, false, true)
    expect(Array.from(c)).toEqual([0, 1, 2].flatMap((p) => single(p, 0)))
    native.batchedGemm(a.subarray(k * m, 2 * k * m), b, c, batch, m, n, k, false, true)
    expect(Array.from(c)).toEqual([0, 1, 2].flatMap((p) => single(1, p)))
  })

  it("refuses operands of the wrong type or length, bad sizes and overlapping C before writing", () => {
    const [a, b, c] = [new Float32Array(6), new Float32Array(6), new Float32Array(4).fill(9)]
    expect(() => native.gemm(a, b, new Float32Array(5), 2, 2, 3, false, false)).toThrow(/hold 6, 6 and 5 floats, expected 6, 6 and 4/)
    expect(() => native.gemm(new Float64Array(6) as unknown as Float32Array, b, c, 2, 2, 3, false, false)).toThrow(TypeError)
    expect(() => native.gemm(a, b, c, 2.5, 2, 3, false, false)).toThrow(RangeError)
    expect(() => native.gemm(a, b, c, 2, 2, -3, false, false)).toThrow(RangeError)
    expect(() => native.gemm(a, b, c, 2, 2, 3, 1 as unknown as boolean, false)).toThrow(/transposeA: expected a boolean/)
    const shared = new Float32Array(10)
    expect(() => native.gemm(shared.subarray(0, 6), b, shared.subarray(4, 8), 2, 2, 3, false, false)).toThrow(/c overlaps a or b/)
    expect(Array.from(c)).toEqual([9, 9, 9, 9])
  })

  it("reports a kernel it cannot use, or an unknown one, as unavailable instead of throwing", () => {
    expect(loadNativeGemm({ kernel: "avx9" as "sse2" })).toEqual({ gemm: undefined, reason: "PEFTLAB_NATIVE_GEMM_KERNEL=avx9: expected one of avx512, avx2, sse2" })
  })
})
