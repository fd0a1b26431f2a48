import * as tf from "@tensorflow/tfjs"

/** One-hot rows [..., vocab] of int32 targets [...]; all 0 for a target outside [0, vocab). Unlike tf.oneHot, any vocabulary size, 1 included. */
export const oneHotOf = (targets: tf.Tensor, vocab: number): tf.Tensor =>
  tf.tidy(() => tf.equal(targets.expandDims(-1), tf.range(0, vocab, 1, "int32")).toFloat())
