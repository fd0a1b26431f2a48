// Picks a few positions of every row before the LM head, so scoring a short continuation does
// not project every position onto the vocabulary ([batch, time, vocab] floats overflow wasm's
// heap for real vocabularies). A one-hot matmul rather than a gather: its gradient is a matmul
// too, which every backend has. With one position (a generation step) there is nothing to pick
// (and tf.oneHot needs a depth of 2).
import * as tf from "@tensorflow/tfjs"

/** hidden [batch, time, width], positions [batch, k] int32 -> [batch, k, width]. */
export const selectPositions = (hidden: tf.Tensor3D, positions: tf.Tensor2D): tf.Tensor3D =>
  tf.tidy(() => {
    if (hidden.shape[1] === 1) return hidden.tile([1, positions.shape[1], 1]) as tf.Tensor3D
    return tf.matMul(tf.oneHot(positions.toInt(), hidden.shape[1]).toFloat(), hidden) as tf.Tensor3D
  })
