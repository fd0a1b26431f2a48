// The additive attention bias: 0 where a query may attend to a key, a large negative number
// where it may not (a later position, or a padding key). Finite rather than -Infinity so a
// query whose keys are all masked (a left-padded position) still gets a defined softmax.
import * as tf from "@tensorflow/tfjs"

const blocked = -1e9

/** [1 or batch, 1, time, time], broadcast over heads. attentionMask: [batch, time], 1 = real token. */
export const attentionBias = (time: number, attentionMask?: tf.Tensor2D): tf.Tensor4D =>
  tf.tidy(() => {
    const causal = tf.linalg.bandPart(tf.ones([time, time]), -1, 0).reshape([1, 1, time, time])
    const allowed = attentionMask
      ? causal.mul(attentionMask.toFloat().reshape([attentionMask.shape[0], 1, 1, time]))
      : causal
    return tf.sub(1, allowed).mul(blocked) as tf.Tensor4D
  })
