import * as tf from "@tensorflow/tfjs"
import { usesFusedKernel } from "../shared/kernel-path.ts"
import { type AttentionAttrs, composedAttention } from "./attention-composed.ts"
import { flashAttentionKernelName } from "./flash-attention-kernel.ts"

export interface AttentionOptions {
  /** What q kᵀ is multiplied by: 1 / sqrt(head size) unless given. */
  readonly scale?: number
  /**
   * Key positions before the first query's own (prefix tokens, cached past): with causal, query i
   * sees keys j <= past + i. Tk - Tq (at least 0) unless given: the last query sees the last key.
   */
  readonly past?: number
  /** Whether queries see only keys up to their own position; true unless given. */
  readonly causal?: boolean
  /**
   * Added to every score of a batch row: [batch, Tk], 0 for keys to attend to and a large negative
   * number (-1e9) for padding. Not -Infinity: a query whose every key has it would get NaN.
   */
  readonly mask?: tf.Tensor2D
}

/** Head sizes the kernel takes: each thread keeps its query and output rows in registers. Larger ones take the composed ops. */
export const maxKernelHeadDim = 256

const checkedAttrs = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, options: AttentionOptions): AttentionAttrs => {
  const [[batch, heads, queries, headDim], [kvBatch, kvHeads, keys, kvDim]] = [q.shape, k.shape]
  const { mask, causal = true, scale = 1 / Math.sqrt(headDim), past = Math.max(0, keys - queries) } = options
  tf.util.assert([q, k, v, ...(mask ? [mask] : [])].every((t) => t.dtype === "float32"), () => "flashAttention: expected float32 tensors")
  tf.util.assert(
    q.rank === 4 && tf.util.arraysEqual(k.shape, v.shape) && kvBatch === batch && kvDim === headDim && keys > 0 && kvHeads > 0 && heads % kvHeads === 0,
    () => `flashAttention: q [${q.shape}] needs k and v [${batch}, kvHeads dividing ${heads}, keys > 0, ${headDim}]; got k [${k.shape}], v [${v.shape}]`,
  )
  tf.util.assert(!mask || tf.util.arraysEqual(mask.shape, [batch, keys]), () => `flashAttention: mask [${mask?.shape}] must be [batch, keys] = [${batch}, ${keys}]`)
  tf.util.assert(Number.isInteger(past) && past >= 0, () => `flashAttention: past must be a whole number ≥ 0, got ${past}`)
  return { scale, past, causal }
}

/** Attention composed of tfjs ops (scores, softmax, weighted sum): the reference and the fallback. */
export const flashAttentionComposed = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, options: AttentionOptions = {}): tf.Tensor4D => {
  const attrs = checkedAttrs(q, k, v, options)
  return tf.tidy(() => composedAttention(q, k, v, options.mask ?? tf.zeros([q.shape[0], k.shape[2]]), attrs))
}

/**
 * softmax(scale q kᵀ + mask) v per head, q [B, H, Tq, D], k and v [B, Hkv, Tk, D] (grouped-query:
 * head h reads kv head floor(h / (H / Hkv))), with the causal mask shifted by `past`. Where the backend
 * has the kernel (WGSL on webgpu, C on wasm), one pass over the keys with a running max and sum (no
 * [Tq, Tk] scores stored); composed tfjs ops elsewhere, or for head sizes over maxKernelHeadDim. Its
 * gradient runs the backend's gradient kernel where it has one, else recomputes the softmax with tfjs ops.
 */
export const flashAttention = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, options: AttentionOptions = {}): tf.Tensor4D => {
  const attrs = checkedAttrs(q, k, v, options)
  return tf.tidy(() => {
    const mask = options.mask ?? tf.zeros([q.shape[0], k.shape[2]])
    if (!usesFusedKernel(flashAttentionKernelName) || q.shape[3] > maxKernelHeadDim) return composedAttention(q, k, v, mask, attrs)
    // The wasm kernel also returns each query row's log-sum-exp, for its gradient kernel.
    const outputs = tf.engine().runKernel(flashAttentionKernelName, { q, k, v, mask }, { ...attrs }) as tf.Tensor4D | Array<tf.Tensor>
    return (Array.isArray(outputs) ? outputs[0] : outputs) as tf.Tensor4D
  })
}
