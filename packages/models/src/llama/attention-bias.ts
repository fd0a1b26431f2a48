// The additive attention bias: 0 where a query may attend to a key, a large negative number
// where it may not (a later position, or a padding key). Finite rather than -Infinity so a
// query whose keys are all masked (a left-padded position) still gets a defined softmax.
// Keys may start with `pastLength` cached positions (a prefix), which every query sees.
import * as tf from "@tensorflow/tfjs"

const blocked = -1e9

/**
 * [1 or batch, 1, time, pastLength + time], broadcast over heads. attentionMask: [batch, time]
 * over the real tokens, 1 = real token; the past positions count as ones, as HF extends it.
 */
export const attentionBias = (time: number, attentionMask?: tf.Tensor2D, pastLength = 0): tf.Tensor4D =>
  tf.tidy(() => {
    const keys = pastLength + time
    // Query i (at position pastLength + i) sees keys j <= pastLength + i.
    const causal = tf.linalg.bandPart(tf.ones([time, keys]), -1, pastLength).reshape([1, 1, time, keys])
    const allowed = attentionMask
      ? causal.mul(
          tf.concat([tf.ones([attentionMask.shape[0], pastLength]), attentionMask.toFloat()], 1).reshape([attentionMask.shape[0], 1, 1, keys]),
        )
      : causal
    return tf.sub(1, allowed).mul(blocked) as tf.Tensor4D
  })
