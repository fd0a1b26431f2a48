// LayerNorm as torch.nn.LayerNorm (GPT-2, BERT): (x - mean) / sqrt(var + eps) * weight + bias over
// the last axis, with the biased variance.
import * as tf from "@tensorflow/tfjs"

export const layerNorm = <T extends tf.Tensor>(x: T, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number): T =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true)
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(weight).add(bias) as T
  })
