// The addon's fused attention, forward and backward, against a float64 reference on every kernel
// variant this CPU runs (avx512, avx2 and the sse2 fallback here, each forced by name), on the
// shapes of fixtures/attention-reference.ts (head sizes 8, 64, 128 and partial vectors, grouped
// queries, causal and not, prefix keys, padding, several key blocks). Tolerance: 1e-5 of the
// largest |value| (or of 1), for the output, the log-sum-exp and the gradients of q, k, v and the
// mask; float32 rounding keeps these near 1e-6. Also: outputs are fully written (they start as
// NaN), and wrong lengths, sizes or overlapping outputs throw before anything is written.
import { describe, expect, it } from "vitest"
import { loadNativeGemm, type AttentionSizes } from "../src/index.ts"
import { attentionCases, attentionInputs, describeCase, referenceAttention, scaledError } from "./fixtures/attention-reference.ts"

const best = loadNativeGemm()
const skipReason = best.gemm === undefined ? ` (skipped: ${best.reason})` : ""
const kernels = best.gemm?.info().supported ?? []
const tolerance = 1e-5

const nans = (length: number) => new Float32Array(length).fill(Number.NaN)

describe.skipIf(best.gemm === undefined)(`the native fused attention${skipReason}`, () => {
  for (const kernel of kernels) {
    it.each(attentionCases.map((c) => [describeCase(c), c] as const))(`${kernel}, %s: forward and backward within 1e-5 of float64`, (_, c) => {
      const native = loadNativeGemm({ kernel }).gemm!
      const inputs = attentionInputs(c, c.queries + c.dim)
      const { q, k, v, mask, dy } = inputs
      const [out, lse, dq, dk, dv, dMask] = [q.length, q.length / c.dim, q.length, k.length, k.length, mask.length].map(nans) as [
        Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
      ]
      native.flashAttention(q, k, v, mask, out, lse, c)
      native.flashAttentionGrad(dy, q, k, v, mask, out, lse, dq, dk, dv, dMask, c)
      const want = referenceAttention(c, inputs)
      const errors = { out: scaledError(out, want.out), lse: scaledError(lse, want.lse), dq: scaledError(dq, want.dq), dk: scaledError(dk, want.dk), dv: scaledError(dv, want.dv), dMask: scaledError(dMask, want.dMask) }
      for (const [name, error] of Object.entries(errors)) expect(error, `${kernel} ${describeCase(c)}: ${name}`).toBeLessThan(tolerance)
    })
  }

  it("throws on wrong lengths, sizes and overlapping outputs, writing nothing", () => {
    const native = best.gemm!
    const sizes: AttentionSizes = { batch: 1, heads: 2, kvHeads: 1, queries: 3, keys: 4, dim: 8, past: 1, causal: true, scale: 0.5 }
    const [q, k, v] = [48, 32, 32].map((n) => new Float32Array(n).fill(0.5))
    const mask = new Float32Array(4)
    const [out, lse] = [nans(48), nans(6)]
    const forward = (s: AttentionSizes, outputs = [out, lse]) => () => native.flashAttention(q!, k!, v!, mask, outputs[0]!, outputs[1]!, s)
    expect(forward({ ...sizes, keys: 5 })).toThrow(RangeError)
    expect(forward({ ...sizes, kvHeads: 3 })).toThrow(/kvHeads dividing heads/)
    expect(forward({ ...sizes, dim: 0 })).toThrow(RangeError)
    expect(forward(sizes, [q!, lse])).toThrow(/out overlaps q/)
    expect(forward(sizes, [out.subarray(0, 40), lse])).toThrow(/out: expected 48 floats, got 40/)
    expect(() => native.flashAttentionGrad(q!, q!, k!, v!, mask, out, lse, nans(48), nans(32), k!, nans(4), sizes)).toThrow(/dv overlaps k/)
    expect([...out, ...lse].every(Number.isNaN)).toBe(true)
    native.flashAttention(q!, k!, v!, mask, out, lse, sizes)
    // Equal keys and values: every output is the value; the first query sees two keys, each scoring q·k · scale = 1.
    expect([...out].every((x) => Math.abs(x - 0.5) < 1e-6)).toBe(true)
    expect(Math.abs(lse[0]! - (Math.log(2) + 8 * 0.25 * 0.5))).toBeLessThan(1e-6)
  })
})
