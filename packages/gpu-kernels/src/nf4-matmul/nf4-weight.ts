// A frozen weight W [out, in] quantized as bitsandbytes' NF4, as the tensors nf4MatMul reads.
// bitsandbytes packs two 4-bit codes per byte, the first in the high nibble, over W's flat
// row-major order; WGSL reads no bytes, so the same bytes travel as int32 words, four bytes per
// word, read little-endian: element i is in word i >> 3, byte (i >> 1) & 3, high nibble when i is
// even. That is bitsandbytes' byte stream unchanged (zero-padded to whole words), 4 bits per weight.
import * as tf from "@tensorflow/tfjs"
import { nf4Levels } from "./nf4-levels.ts"

/** bitsandbytes' NF4 form of a flat weight, as @peftlab/models' quantizeNf4 returns it. */
export interface PackedNf4 {
  /** ceil(length / 2) bytes: element i in byte i >> 1, in its high nibble when i is even. */
  readonly codes: Uint8Array
  /** One scale per block of blockSize consecutive elements (the last may be shorter): its max |w|. */
  readonly absmax: Float32Array
  readonly length: number
  readonly blockSize: number
}

/** The tensors of an NF4 weight W [out, in]. */
export interface Nf4Weight {
  /** int32 [ceil(out in / 8)]: the packed codes, 8 per word (see above). */
  readonly codes: tf.Tensor1D
  /** float32 [ceil(out in / blockSize)]. */
  readonly absmax: tf.Tensor1D
  /** [out, in], nn.Linear's layout. */
  readonly shape: readonly [number, number]
  readonly blockSize: number
}

/** The tensors nf4MatMul reads for W [out, in] quantized as `packed`. Dispose them when done. */
export const nf4WeightTensors = (packed: PackedNf4, shape: readonly [number, number]): Nf4Weight => {
  const { codes, absmax, length, blockSize } = packed
  tf.util.assert(Number.isInteger(blockSize) && blockSize > 0, () => `nf4WeightTensors: blockSize must be a positive integer, got ${blockSize}`)
  tf.util.assert(
    length === shape[0] * shape[1] && codes.length === Math.ceil(length / 2) && absmax.length === Math.ceil(length / blockSize),
    () => `nf4WeightTensors: W [${shape}] needs ${shape[0] * shape[1]} values in ${Math.ceil((shape[0] * shape[1]) / 2)} bytes and ${Math.ceil((shape[0] * shape[1]) / blockSize)} scales; got ${length} values in ${codes.length} bytes and ${absmax.length} scales`,
  )
  const words = new Int32Array(Math.ceil(codes.length / 4))
  codes.forEach((byte, i) => {
    words[i >> 2] = (words[i >> 2] as number) | (byte << (8 * (i & 3)))
  })
  return { codes: tf.tensor1d(words, "int32"), absmax: tf.tensor1d(absmax, "float32"), shape, blockSize }
}

/** Element i's code in the packed words. */
const codeAt = (words: Int32Array, i: number): number => ((words[i >> 3] as number) >>> (8 * ((i >> 1) & 3) + (i % 2 === 0 ? 4 : 0))) & 0x0f

/**
 * W [out, in] in float32, dequantized on the host: level(code) × absmax of its block. Reads the
 * tensors synchronously, so not on tfjs's webgpu backend under Node, where nf4MatMul needs none of it.
 */
export const nf4Dequantize = ({ codes, absmax, shape, blockSize }: Nf4Weight): tf.Tensor2D => {
  const length = shape[0] * shape[1]
  const [words, scales] = [codes.dataSync() as Int32Array, absmax.dataSync()]
  const values = Float32Array.from({ length }, (_, i) => (nf4Levels[codeAt(words, i)] as number) * (scales[Math.floor(i / blockSize)] as number))
  return tf.tensor2d(values, [...shape])
}
