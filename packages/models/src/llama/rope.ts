// Rotary position embeddings in HF's rotate_half layout: each head vector is split into
// halves (x1, x2) and rotated pairwise (x1[i], x2[i]) by angle position * theta^(-2i/d).
// The cos/sin tables for every position are computed once per model, in float64; applying them
// is @peftlab/gpu-kernels' rope op (one pass on the wasm plugin's kernel, composed ops elsewhere).
import * as tf from "@tensorflow/tfjs"
import { rope } from "@peftlab/gpu-kernels"

export interface Rope {
  /**
   * A query or key projection's output x [batch, time, heads·headDim] -> [batch, heads, time, headDim],
   * each head vector rotated by its token's position (positions int32 [batch, time]) and multiplied by `scale`.
   */
  splitHeads(x: tf.Tensor3D, positions: tf.Tensor2D, heads: number, scale?: number): tf.Tensor4D
  dispose(): void
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

  return {
    splitHeads: (x, positions, heads, scale = 1) => rope(x, cos, signedSin, positions, { heads, scale }),
    dispose: () => {
      cos.dispose()
      signedSin.dispose()
    },
  }
}
