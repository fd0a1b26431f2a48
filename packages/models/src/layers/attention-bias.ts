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
  /**
   * Mistral's sliding window (with `causal`): a query sees only the last `window` key positions,
   * its own included. A window as long as the keys changes nothing.
   */
  readonly window?: number
}

/**
 * [time, keys]: 1 where query i (at key position keys - time + i) may see key j by order alone.
 * Written on the host: tfjs's bandPart and integer comparisons run elementwise loops on wasm
 * that cost milliseconds for a 256 x 256 mask, once per forward pass.
 */
const keyOrder = (time: number, keys: number, causal: boolean, window: number | undefined): tf.Tensor2D => {
  if (!causal) return tf.ones([time, keys])
  const order = new Float32Array(time * keys)
  for (let query = 0; query < time; query++) {
    const position = keys - time + query
    // Seen: keys at distance 0 <= position - key < window.
    const first = window === undefined ? 0 : Math.max(0, position - window + 1)
    order.fill(1, query * keys + first, query * keys + position + 1)
  }
  return tf.tensor2d(order, [time, keys])
}

/**
 * [1 or batch, 1, time, keys], broadcast over heads; the queries are the last `time` of the `keys`
 * positions. Marked as masks alone (unless a sliding window cuts into the keys), so that a
 * backend with the fused attention kernel (webgpu, wasm) may run flash attention in its place.
 */
export const attentionBias = (time: number, keys: number, { causal, keyMask, window }: BiasOptions): tf.Tensor4D => {
  const bias = tf.tidy(() => {
    const shaped = keyOrder(time, keys, causal, window).reshape([1, 1, time, keys])
    const allowed = keyMask ? shaped.mul(keyMask.toFloat().reshape([keyMask.shape[0], 1, 1, keys])) : shaped
    return tf.sub(1, allowed).mul(blocked) as tf.Tensor4D
  })
  // flash attention knows causal order and padding, not a window that cuts into the keys.
  return causal && window !== undefined && window < keys ? bias : markMaskBias(bias, causal)
}
