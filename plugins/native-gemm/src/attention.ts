// The addon's fused attention (c/attention-source.h), as @peftlab/gpu-kernels' flashAttention op
// and the wasm plugin's kernel define it: the sizes of one call, the calls NativeGemm offers, and
// how they map onto the addon's positional exports.
/**
 * q, out and dy [batch, heads, queries, dim]; k and v [batch, kvHeads, keys, dim] (query head h
 * reads kv head floor(h / (heads / kvHeads)); kvHeads divides heads); mask [batch, keys], added to
 * every score of its batch row; with `causal`, query i sees keys j <= past + i. keys and dim are at
 * least 1.
 */
export interface AttentionSizes {
  readonly batch: number
  readonly heads: number
  readonly kvHeads: number
  readonly queries: number
  readonly keys: number
  readonly dim: number
  readonly past: number
  readonly causal: boolean
  readonly scale: number
}

/**
 * Single-threaded, in place, on Float32Arrays over any ArrayBuffer; wrong lengths, sizes or
 * overlapping outputs throw TypeError/RangeError (code ERR_PEFTLAB_NATIVE_GEMM) before anything is
 * written.
 */
export interface NativeAttention {
  /** out = softmax(scale q kᵀ + mask) v, and lse [batch, heads, queries] each row's log-sum-exp (online softmax, no score matrix). */
  flashAttention(q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array, out: Float32Array, lse: Float32Array, sizes: AttentionSizes): void
  /** dq, dk, dv and dMask of Σ dy ⊙ out from the forward's out and lse (FlashAttention-2's backward, P recomputed). */
  flashAttentionGrad(
    dy: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array, out: Float32Array, lse: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, dMask: Float32Array, sizes: AttentionSizes,
  ): void
}

type PositionalSizes = [batch: number, heads: number, kvHeads: number, queries: number, keys: number, dim: number, past: number, causal: boolean, scale: number]

/** The addon's exports for attention: the tensors, the sizes in AttentionSizes' order, and the kernel variant's name. */
export interface AttentionAddon {
  flashAttention(q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array, out: Float32Array, lse: Float32Array, ...rest: [...PositionalSizes, kernel: string]): void
  flashAttentionGrad(
    dy: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array, out: Float32Array, lse: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array, dMask: Float32Array, ...rest: [...PositionalSizes, kernel: string]
  ): void
}

const positional = ({ batch, heads, kvHeads, queries, keys, dim, past, causal, scale }: AttentionSizes): PositionalSizes =>
  [batch, heads, kvHeads, queries, keys, dim, past, causal, scale]

/** NativeAttention on the addon's `kernel` variant. */
export const nativeAttention = (addon: AttentionAddon, kernel: string): NativeAttention => ({
  flashAttention: (q, k, v, mask, out, lse, sizes) => addon.flashAttention(q, k, v, mask, out, lse, ...positional(sizes), kernel),
  flashAttentionGrad: (dy, q, k, v, mask, out, lse, dq, dk, dv, dMask, sizes) =>
    addon.flashAttentionGrad(dy, q, k, v, mask, out, lse, dq, dk, dv, dMask, ...positional(sizes), kernel),
})
