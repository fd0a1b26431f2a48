// Multi-head attention's core, shared by every architecture: softmax(q kᵀ + bias) v.
// Grouped-query attention (each key/value head serving `groups` consecutive query heads, HF's
// repeat_kv order) folds the group into the query time axis instead of copying K and V:
// Q [b, kv, groups*t, d] against K [b, kv, s, d] is one batched matmul.
import * as tf from "@tensorflow/tfjs"

/** [b, t, heads*d] -> [b, heads, t, d] */
export const splitHeads = (x: tf.Tensor, heads: number, headDim: number): tf.Tensor4D => {
  const [batch, time] = x.shape as [number, number]
  return x.reshape([batch, time, heads, headDim]).transpose([0, 2, 1, 3])
}

/** [b, heads, t, d] -> [b, t, heads*d] */
export const mergeHeads = (x: tf.Tensor4D): tf.Tensor3D => {
  const [batch, heads, time, headDim] = x.shape
  return x.transpose([0, 2, 1, 3]).reshape([batch, time, heads * headDim])
}

/**
 * q [b, heads, t, d] (already scaled as the architecture wants), k and v [b, kvHeads, s, d],
 * bias broadcastable to [b, heads, t, s] (masking and any position bias) -> [b, t, heads*d].
 */
export const attend = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor3D =>
  tf.tidy(() => {
    const [batch, heads, time, headDim] = q.shape
    const kvHeads = k.shape[1]
    const keys = k.shape[2]
    const groups = heads / kvHeads
    const scores = tf
      .matMul(q.reshape([batch, kvHeads, groups * time, headDim]), k, false, true)
      .reshape([batch, heads, time, keys])
      .add(bias)
    const probabilities = tf.softmax(scores).reshape([batch, kvHeads, groups * time, keys])
    return mergeHeads(tf.matMul(probabilities, v).reshape([batch, heads, time, headDim]))
  })
