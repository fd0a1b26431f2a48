// Rotary position embeddings in HF's rotate_half layout: each head vector is split into
// halves (x1, x2) and rotated pairwise (x1[i], x2[i]) by angle position * theta^(-2i/d).
// The cos/sin tables for every position are computed once per model, in float64.
import * as tf from "@tensorflow/tfjs"

export interface Rope {
  /** Rotates x [batch, heads, time, headDim] by positions [batch, time]. */
  apply(x: tf.Tensor4D, positions: tf.Tensor2D): tf.Tensor4D
  dispose(): void
}

/** [.., (x1, x2)] -> [.., (x2, x1)] over the last axis. */
const swapHalves = (x: tf.Tensor): tf.Tensor => {
  const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor]
  return tf.concat([x2, x1], -1)
}

export const makeRope = (headDim: number, maxPositions: number, theta: number): Rope => {
  const half = headDim / 2
  const cosValues = new Float32Array(maxPositions * headDim)
  // rotate_half(x) * sin = concat(-x2, x1) * sin = concat(x2, x1) * concat(-sin, sin):
  // the sign lives in the table so applying it is one swap of halves.
  const signedSinValues = new Float32Array(maxPositions * headDim)
  for (let position = 0; position < maxPositions; position++) {
    for (let i = 0; i < half; i++) {
      const angle = position * theta ** ((-2 * i) / headDim)
      const row = position * headDim
      cosValues[row + i] = cosValues[row + half + i] = Math.cos(angle)
      signedSinValues[row + i] = -Math.sin(angle)
      signedSinValues[row + half + i] = Math.sin(angle)
    }
  }
  const cos = tf.tensor2d(cosValues, [maxPositions, headDim])
  const signedSin = tf.tensor2d(signedSinValues, [maxPositions, headDim])

  // x·cos + swap(x)·sin, and back: swapping the halves is its own inverse, so the gradient is
  // dy·cos + swap(dy·sin). One op, so the tape keeps only the two gathered tables.
  const rotate = (cosRows: tf.Tensor, sinRows: tf.Tensor) =>
    tf.customGrad((...args) => {
      const [x, save] = args as unknown as [tf.Tensor4D, tf.GradSaveFunc]
      save([cosRows, sinRows])
      return {
        value: x.mul(cosRows).add(swapHalves(x).mul(sinRows)),
        gradFunc: (dy: tf.Tensor, [c, s]: Array<tf.Tensor>) => tf.tidy(() => dy.mul(c as tf.Tensor).add(swapHalves(dy.mul(s as tf.Tensor)))),
      }
    })

  return {
    apply: (x, positions) =>
      tf.tidy(() => {
        const [batch, time] = positions.shape
        // [batch, 1, time, headDim]: one row per token, shared by every head.
        const rows = (table: tf.Tensor2D) => tf.gather(table, positions.flatten()).reshape([batch, 1, time, headDim])
        return rotate(rows(cos), rows(signedSin))(x) as tf.Tensor4D
      }),
    dispose: () => {
      cos.dispose()
      signedSin.dispose()
    },
  }
}
