// Blockwise NF4 quantization as bitsandbytes' quantize_4bit(quant_type="nf4"): the weights are
// read as one flat array, cut into blocks of blockSize (the last may be shorter), each block is
// scaled by its absolute maximum into [-1, 1] and each value becomes the 4-bit index of its
// nearest NF4 level. Two codes share a byte, the first in the high nibble (bitsandbytes' order).
import { nearestNf4Code, nf4Levels } from "./nf4-levels.ts"

export interface Nf4Weights {
  /** ceil(length / 2) bytes; element i sits in byte i >> 1, high nibble when i is even. */
  readonly codes: Uint8Array
  /** One float32 scale per block: the block's max |w|. */
  readonly absmax: Float32Array
  /** The number of quantized values. */
  readonly length: number
  readonly blockSize: number
}

export const quantizeNf4 = (weights: Float32Array, blockSize = 64): Nf4Weights => {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`blockSize: expected a positive integer, got ${blockSize}`)
  const length = weights.length
  // Shared memory, so that worker threads can use a quantized base in place (frozen/shared-matrix.ts).
  const codes = new Uint8Array(new SharedArrayBuffer(Math.ceil(length / 2)))
  const blocks = Math.ceil(length / blockSize)
  const absmax = new Float32Array(new SharedArrayBuffer(blocks * 4))
  for (let block = 0; block < blocks; block++) {
    const start = block * blockSize
    const end = Math.min(start + blockSize, length)
    let max = 0
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(weights[i] as number))
    absmax[block] = max
    // An all-zero block scales to 0 (bitsandbytes would divide by zero); code 7 is the level 0.
    const scale = max === 0 ? 0 : 1 / max
    for (let i = start; i < end; i++) {
      const code = nearestNf4Code((weights[i] as number) * scale)
      codes[i >> 1] = (codes[i >> 1] as number) | (i % 2 === 0 ? code << 4 : code)
    }
  }
  return { codes, absmax, length, blockSize }
}

/** Values [from, to) of `q` as float32, written into `out` from `offset`. */
export const dequantizeNf4Into = (q: Nf4Weights, from: number, to: number, out: Float32Array, offset = 0): void => {
  const { codes, absmax, blockSize } = q
  for (let i = from; i < to; i++) {
    const byte = codes[i >> 1] as number
    const code = (i & 1) === 0 ? byte >> 4 : byte & 0x0f
    out[offset + i - from] = (nf4Levels[code] as number) * (absmax[Math.floor(i / blockSize)] as number)
  }
}

export const dequantizeNf4 = (q: Nf4Weights): Float32Array => {
  const out = new Float32Array(q.length)
  dequantizeNf4Into(q, 0, q.length, out)
  return out
}

/** Bytes held by the quantized form: the packed codes plus the float32 scales. */
export const nf4Bytes = (q: Nf4Weights): number => q.codes.byteLength + q.absmax.byteLength
