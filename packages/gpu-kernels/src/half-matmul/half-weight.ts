// A frozen weight kept on the device in the 16-bit form the checkpoint stores it in (bf16 or f16),
// never widened to float32 in device memory: WGSL has no 16-bit buffer elements (and tfjs no
// 16-bit dtype), so the stored bytes travel unchanged as int32 words, two values per word,
// element 2i in the low half (the bytes read little-endian). The kernels decode each value as
// they read it (half-decode.wgsl.ts), exactly as the host widens it: bf16 by a shift, f16 by
// unpack2x16float. No precision is lost against the stored checkpoint.
import * as tf from "@tensorflow/tfjs"

export type HalfStorage = "bf16" | "f16"

/** A 16-bit matrix [rows, columns], row-major, as the tensor the half kernels read. */
export interface HalfWeight {
  /** int32 [ceil(rows columns / 2)]: the stored 16-bit values, two per word (see above). */
  readonly words: tf.Tensor1D
  readonly shape: readonly [number, number]
  readonly storage: HalfStorage
}

/** `bytes` (16-bit values, little-endian) as int32 words: a view when whole words, else a zero-padded copy. */
export const halfWords = (bytes: Uint8Array): Int32Array => {
  if (bytes.byteLength % 4 === 0 && bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4)
  padded.set(bytes)
  return new Int32Array(padded.buffer)
}

/** The HalfWeight of a [rows, columns] matrix stored as `bytes`. Dispose `words` when done. */
export const halfWeight = (bytes: Uint8Array, shape: readonly [number, number], storage: HalfStorage): HalfWeight => {
  const size = shape[0] * shape[1]
  tf.util.assert(bytes.byteLength === size * 2, () => `halfWeight: a ${storage} [${shape}] matrix takes ${size * 2} bytes, got ${bytes.byteLength}`)
  return { words: tf.tensor1d(halfWords(bytes), "int32"), shape, storage }
}

const halfToFloat = (half: number): number => {
  const exponent = (half >> 10) & 0x1f
  const fraction = half & 0x3ff
  const sign = half & 0x8000 ? -1 : 1
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

/**
 * The matrix in float32, decoded on the host: the fallback off webgpu. Reads `words`
 * synchronously, so not on tfjs's webgpu backend under Node, where the kernels need none of it.
 */
export const halfDecode = ({ words, shape, storage }: HalfWeight): tf.Tensor2D => {
  const size = shape[0] * shape[1]
  const data = words.dataSync() as Int32Array
  const halves = new Uint16Array(data.buffer, data.byteOffset, size)
  const out = new Float32Array(size)
  if (storage === "bf16") new Uint32Array(out.buffer).set(Uint32Array.from(halves, (h) => h << 16))
  else for (let i = 0; i < size; i++) out[i] = halfToFloat(halves[i] as number)
  return tf.tensor2d(out, [...shape])
}
