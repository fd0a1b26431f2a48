// The additive attention bias: 0 where a query may attend to a key, a large negative number
// where it may not (a later position in a causal model, or a padding key). Finite rather than
// -Infinity so a query whose keys are all masked (a padding position) still gets a defined softmax.
import * as tf from "@tensorflow/tfjs"
import { markMaskBias } from "./attention.ts"

const blocked = -1e9

export interface BiasOptions {
  /** Whether query i (the i-th of the last `time` key positions) sees only keys up to its own position. */
  readonly causal: boolean
  /** [batch, keys]: 1 = a key that may be attended to; all keys when absent. */
  readonly keyMask?: tf.Tensor2D
}

/**
 * [1 or batch, 1, time, keys], broadcast over heads; the queries are the last `time` of the `keys`
 * positions. Marked as masks alone, so that webgpu may run flash attention in its place.
 */
export const attentionBias = (time: number, keys: number, { causal, keyMask }: BiasOptions): tf.Tensor4D =>
  markMaskBias(
    tf.tidy(() => {
      const order = causal ? tf.linalg.bandPart(tf.ones([time, keys]), -1, keys - time) : tf.ones([time, keys])
      const shaped = order.reshape([1, 1, time, keys])
      const allowed = keyMask ? shaped.mul(keyMask.toFloat().reshape([keyMask.shape[0], 1, 1, keys])) : shaped
      return tf.sub(1, allowed).mul(blocked) as tf.Tensor4D
    }),
    causal,
  )
