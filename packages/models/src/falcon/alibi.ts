// ALiBi (Press et al.), as Falcon-RW computes it (HF build_alibi_tensor): each head h adds
// slope_h * position(key) to its attention scores, the key's position counted from the attention
// mask. transformers rounds the slopes and their products to bfloat16 whatever the model's dtype,
// so the table here is rounded the same way; the bias it gives is divided by sqrt(head_dim), as
// FalconModel folds it into the attention mask.
import * as tf from "@tensorflow/tfjs"
import { bfloat16FromFloat32Bits } from "../safetensors/encode-dtype.ts"

const bits = new Uint32Array(1)
const float = new Float32Array(bits.buffer)

/** x rounded to bfloat16 (to nearest, ties to even), as a number. */
const toBfloat16 = (x: number): number => {
  float[0] = x
  bits[0] = bfloat16FromFloat32Bits(bits[0]!) << 16
  return float[0]
}

/** The per-head slopes in float32 (the geometric sequence of the closest power of two, then the odd powers of the next). */
export const alibiSlopes = (heads: number): Array<number> => {
  const closest = 2 ** Math.floor(Math.log2(heads))
  const base = Math.fround(2 ** -(2 ** -(Math.log2(closest) - 3)))
  const slopes = Array.from({ length: closest }, (_, i) => Math.fround(base ** (i + 1)))
  if (closest !== heads) {
    const extraBase = Math.fround(2 ** -(2 ** -(Math.log2(2 * closest) - 3)))
    const remaining = Math.min(closest, heads - closest)
    for (let i = 0; i < remaining; i++) slopes.push(Math.fround(extraBase ** (2 * i + 1)))
  }
  return slopes
}

export interface Alibi {
  /** [batch, heads, 1, keys]: each head's bias for each key, by fullMask [batch, keys] (1 = attended). */
  bias(fullMask: tf.Tensor2D): tf.Tensor4D
  dispose(): void
}

/** The bias table for positions 0 .. maxPositions-1, already divided by sqrt(headDim). */
export const makeAlibi = (heads: number, headDim: number, maxPositions: number): Alibi => {
  const slopes = alibiSlopes(heads).map(toBfloat16)
  const values = new Float32Array(maxPositions * heads)
  for (let position = 0; position < maxPositions; position++) {
    const stored = toBfloat16(position)
    for (let head = 0; head < heads; head++) values[position * heads + head] = toBfloat16(slopes[head]! * stored) / Math.sqrt(headDim)
  }
  const table = tf.tensor2d(values, [maxPositions, heads])
  return {
    bias: (fullMask) =>
      tf.tidy(() => {
        const [batch, keys] = fullMask.shape
        // (cumsum(mask) - 1) * mask: padding keys sit at position 0 (and are masked anyway).
        const mask = fullMask.toInt()
        const positions = tf.cumsum(mask, 1).sub(1).mul(mask).toInt()
        return tf.gather(table, positions.flatten()).reshape([batch, keys, heads]).transpose([0, 2, 1]).reshape([batch, heads, 1, keys]) as tf.Tensor4D
      }),
    dispose: () => table.dispose(),
  }
}
