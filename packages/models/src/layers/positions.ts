// Token positions from the attention mask, as HF's generate computes position_ids: each
// token's position is the number of attended positions before it, so left padding (and a
// prefix or cache in front) shifts the real tokens' positions correctly.
import * as tf from "@tensorflow/tfjs"

/** [batch, time] int32 positions of the last `time` columns of `fullMask` [batch, past + time]; padding gets 0. */
export const positionIds = (fullMask: tf.Tensor2D, time: number): tf.Tensor2D =>
  tf.tidy(() => {
    const [batch, keys] = fullMask.shape
    const counted = tf.cumsum(fullMask.toInt(), 1).sub(1).maximum(0)
    return counted.slice([0, keys - time], [batch, time]).toInt() as tf.Tensor2D
  })

/** The mask over past and current positions: the past's (all ones when it has none) then the current tokens'. */
export const fullAttentionMask = (batch: number, time: number, past: number, pastMask?: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const current = attentionMask?.toInt() ?? tf.ones([batch, time], "int32")
    if (past === 0) return current as tf.Tensor2D
    return tf.concat([pastMask?.toInt() ?? tf.ones([batch, past], "int32"), current], 1) as tf.Tensor2D
  })
