// Attention composed of tfjs ops: the fallback, and the forward pass the kernel's gradient
// recomputes. q [B, H, Tq, D]; k and v [B, Hkv, Tk, D], head h reading kv head floor(h / (H / Hkv)).
import * as tf from "@tensorflow/tfjs"

export interface AttentionAttrs {
  readonly scale: number
  /** Key positions before the first query's own: with causal, query i sees keys j <= past + i. */
  readonly past: number
  readonly causal: boolean
}

// Both reshape to rank 3 for tile and sum: tfjs differentiates no rank-5 tile, and its webgpu
// backend tiles rank 5 on the host.

/** k or v [B, Hkv, T, D] as [B, H, T, D], each kv head repeated for its group of query heads. */
export const expandKvHeads = (t: tf.Tensor4D, heads: number): tf.Tensor4D => {
  const [batch, kvHeads, length, headDim] = t.shape
  if (kvHeads === heads) return t
  return t.reshape([batch * kvHeads, 1, length * headDim]).tile([1, heads / kvHeads, 1]).reshape([batch, heads, length, headDim])
}

/** The gradient of expandKvHeads: [B, H, T, D] summed over each group of heads, [B, Hkv, T, D]. */
export const sumKvGroups = (t: tf.Tensor4D, kvHeads: number): tf.Tensor4D => {
  const [batch, heads, length, headDim] = t.shape
  if (kvHeads === heads) return t
  return t.reshape([batch * kvHeads, heads / kvHeads, length * headDim]).sum(1).reshape([batch, kvHeads, length, headDim])
}

/** softmax over the keys of scale q kᵀ + mask [B, Tk], keys a query does not see at 0: [B, H, Tq, Tk]. */
export const attentionProbabilities = (q: tf.Tensor4D, k: tf.Tensor4D, mask: tf.Tensor2D, { scale, past, causal }: AttentionAttrs): tf.Tensor4D =>
  tf.tidy(() => {
    const [batch, heads, queries] = q.shape
    const keys = k.shape[2]
    const scores = tf.matMul(q, expandKvHeads(k, heads), false, true).mul(scale).add(mask.reshape([batch, 1, 1, keys]))
    if (!causal) return tf.softmax(scores) as tf.Tensor4D
    const visible = tf.range(0, keys, 1, "int32").expandDims(0).lessEqual(tf.range(past, past + queries, 1, "int32").expandDims(1))
    const hidden = tf.where(visible, tf.zeros(visible.shape), tf.fill(visible.shape, Number.NEGATIVE_INFINITY))
    return tf.softmax(scores.add(hidden)) as tf.Tensor4D
  })

/** softmax(scale q kᵀ + mask, causal) v, [B, H, Tq, D]. */
export const composedAttention = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor2D, attrs: AttentionAttrs): tf.Tensor4D =>
  tf.tidy(() => tf.matMul(attentionProbabilities(q, k, mask, attrs), expandKvHeads(v, q.shape[1])))
