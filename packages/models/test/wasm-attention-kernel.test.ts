// On wasm, @peftlab/gpu-kernels' flashAttention runs the wasm plugin's fused C kernel (online
// softmax forward, FlashAttention-2 backward from the saved log-sum-exp) and matches the same
// attention composed of tfjs ops on wasm: values within 1e-5 of the largest |value|, gradients of
// q, k, v and the padding mask within 1e-4 of the largest |gradient| (or of 1 where all are
// smaller: with one key, q's and the mask's gradients are 0 up to rounding). Shapes cover head sizes 8, 64
// and 5 (not a multiple of the 4 lanes), 1, 7 and 256 queries (256 spans two key blocks), a
// grouped-query ratio of 3, causal and not, prefix keys before the queries, and a padding mask.
import * as tf from "@tensorflow/tfjs"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { type AttentionOptions, flashAttention, flashAttentionComposed, flashAttentionGradKernelName, flashAttentionKernelName } from "@peftlab/gpu-kernels"
import { beforeAll, describe, expect, it } from "vitest"
import { expectKernelsRun, normals } from "./wasm-kernel-checks.ts"

const [valueTolerance, gradientTolerance] = [1e-5, 1e-4]

interface Case {
  readonly batch: number
  readonly heads: number
  readonly kvHeads: number
  readonly queries: number
  /** Keys before the first query's own (prefix tokens). */
  readonly prefix: number
  readonly dim: number
  readonly causal: boolean
  /** Whether the last batch row's last two keys are padding. */
  readonly padded: boolean
}

const cases: ReadonlyArray<Case> = [
  { batch: 2, heads: 6, kvHeads: 2, queries: 7, prefix: 0, dim: 8, causal: true, padded: true },
  { batch: 2, heads: 6, kvHeads: 2, queries: 7, prefix: 0, dim: 8, causal: false, padded: true },
  { batch: 1, heads: 3, kvHeads: 1, queries: 1, prefix: 0, dim: 64, causal: true, padded: false },
  { batch: 2, heads: 3, kvHeads: 1, queries: 7, prefix: 5, dim: 64, causal: true, padded: true },
  { batch: 1, heads: 2, kvHeads: 2, queries: 1, prefix: 4, dim: 8, causal: true, padded: false },
  { batch: 1, heads: 6, kvHeads: 2, queries: 256, prefix: 0, dim: 8, causal: true, padded: false },
  { batch: 1, heads: 3, kvHeads: 1, queries: 256, prefix: 3, dim: 64, causal: true, padded: false },
  { batch: 2, heads: 3, kvHeads: 3, queries: 256, prefix: 0, dim: 64, causal: false, padded: true },
  { batch: 2, heads: 3, kvHeads: 1, queries: 7, prefix: 2, dim: 5, causal: true, padded: true },
]

/** 0 for keys to attend to, -1e9 for the last batch row's last two keys when `padded`. */
const paddingMask = ({ batch, padded }: Case, keys: number): tf.Tensor2D =>
  tf.tensor2d(Array.from({ length: batch * keys }, (_, i) => (padded && i >= (batch - 1) * keys + keys - 2 ? -1e9 : 0)), [batch, keys])

/** max |got − want| / max(max |want|, 1); the inputs are standard normals, so 1 is their gradients' scale. */
const scaledError = (got: tf.Tensor, want: tf.Tensor): number =>
  tf.tidy(() => got.sub(want).abs().max().dataSync()[0]! / Math.max(want.abs().max().dataSync()[0]!, 1))

describe("the wasm plugin's fused attention", () => {
  beforeAll(() => wasm.setup())

  it.each(cases)("matches the composed ops, values and gradients: %o", (c) => {
    const keys = c.prefix + c.queries
    const label = `[${c.batch}, ${c.heads}/${c.kvHeads} heads, ${c.queries} queries, ${keys} keys, ${c.dim}]${c.causal ? " causal" : ""}`
    tf.tidy(() => {
      const seed = c.queries * 1000 + c.dim * 10 + c.heads
      const q = normals(seed, [c.batch, c.heads, c.queries, c.dim])
      const [k, v] = [normals(seed + 1, [c.batch, c.kvHeads, keys, c.dim]), normals(seed + 2, [c.batch, c.kvHeads, keys, c.dim])]
      const inputs = [q, k, v, paddingMask(c, keys)]
      const upstream = normals(seed + 3, q.shape)
      const attention = (op: typeof flashAttention) => (...[tq, tk, tv, mask]: Array<tf.Tensor>) =>
        op(tq as tf.Tensor4D, tk as tf.Tensor4D, tv as tf.Tensor4D, { causal: c.causal, past: c.prefix, mask: mask as tf.Tensor2D } satisfies AttentionOptions)
      const objective = (op: typeof flashAttention) => (...xs: Array<tf.Tensor>) => attention(op)(...xs).mul(upstream).sum()
      const [got, gotGrads] = expectKernelsRun([flashAttentionKernelName, flashAttentionGradKernelName], () => [attention(flashAttention)(...inputs), tf.grads(objective(flashAttention))(inputs)] as const)
      const [want, wantGrads] = [attention(flashAttentionComposed)(...inputs), tf.grads(objective(flashAttentionComposed))(inputs)]
      const [valueError, gradientErrors] = [scaledError(got, want), gotGrads.map((g, i) => scaledError(g, wantGrads[i]!))]
      console.log(`attention ${label}: scaled error of values ${valueError.toExponential(1)}, of gradients (q, k, v, mask) ${gradientErrors.map((e) => e.toExponential(1)).join(", ")}`)
      expect(valueError, `${label}: values`).toBeLessThan(valueTolerance)
      gradientErrors.forEach((error, i) => expect(error, `${label}: gradient of input ${i}`).toBeLessThan(gradientTolerance))
    })
  })

  it("leaves no tensor behind, forward and backward (the log-sum-exp and dmask outputs included)", () => {
    const [q, k, v] = [normals(1, [1, 3, 7, 8]), normals(2, [1, 1, 7, 8]), normals(3, [1, 1, 7, 8])] as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
    const before = tf.memory().numTensors
    const gradients = expectKernelsRun([flashAttentionKernelName, flashAttentionGradKernelName], () => tf.grads((a, b, c) => flashAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D).sum())([q, k, v]))
    expect(tf.memory().numTensors).toBe(before + 3)
    tf.dispose([...gradients, q, k, v])
  })
})
