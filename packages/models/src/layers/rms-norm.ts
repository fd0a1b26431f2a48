// RMSNorm (Zhang & Sennrich, 2019) as in HF Llama: x / sqrt(mean(x²) + eps) * weight, over the last axis.
import * as tf from "@tensorflow/tfjs"

export const rmsNorm = (x: tf.Tensor3D, weight: tf.Tensor1D, eps: number): tf.Tensor3D =>
  tf.tidy(() => x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(weight))
