// Moving between a projection's layout, one row of all heads per token [b, t, heads·d], and
// attention's, one matrix per head [b, heads, t, d]: shared by the ops that fuse the move and the
// models that do it as is.
import type * as tf from "@tensorflow/tfjs"

/** [b, t, heads·d] -> [b, heads, t, d] */
export const splitHeads = (x: tf.Tensor, heads: number, headDim: number): tf.Tensor4D => {
  const [batch, time] = x.shape as [number, number]
  return x.reshape([batch, time, heads, headDim]).transpose([0, 2, 1, 3])
}

/** [b, heads, t, d] -> [b, t, heads·d] */
export const mergeHeads = (x: tf.Tensor4D): tf.Tensor3D => {
  const [batch, heads, time, headDim] = x.shape
  return x.transpose([0, 2, 1, 3]).reshape([batch, time, heads * headDim])
}
