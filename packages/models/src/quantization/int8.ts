// Row-wise absmax int8 weights as bitsandbytes 0.50.2's Linear8bitLt holds them (Int8Params._quantize
// -> int8_vectorwise_quant with no threshold): each row of nn.Linear's [out, in] weight, cast to
// float16 first, is scaled by 127 / its absolute maximum and rounded half to even. CB is the codes
// [out, in], SCB the float32 absmax per row (the float16 maximum, widened).
import { roundHalfEven, roundToFloat16 } from "./float16.ts"

export interface Int8Weights {
  /** CB: rows * columns codes in [-127, 127], row-major [out, in]. */
  readonly codes: Int8Array
  /** SCB: one float32 scale per row, the row's max |w| in float16. */
  readonly scales: Float32Array
  readonly rows: number
  readonly columns: number
}

/** bitsandbytes' int8_vectorwise_dequant factor, 1/127 as it writes it. */
export const int8DequantFactor = Math.fround(7.874015718698502e-3)

/**
 * The factor a row is scaled by into [-127, 127], as int8_vectorwise_quant's `127.0 / row_stats`
 * computes it in torch: a scalar divided by a float32 tensor is reciprocal() * 127, two float32
 * roundings (not 127 / max correctly rounded: the two differ in the last bit, which decides ties).
 * Zero for a row of zeros, whose codes stay zero (bitsandbytes would divide by zero).
 */
export const int8RowFactor = (max: number): number => (max === 0 ? 0 : Math.fround(Math.fround(1 / max) * 127))

/** `weights` [rows, columns] row-major, quantized as Linear8bitLt does. */
export const quantizeInt8 = (weights: Float32Array, [rows, columns]: readonly [number, number]): Int8Weights => {
  if (weights.length !== rows * columns) throw new RangeError(`int8 quantization: ${weights.length} values cannot be a [${rows}, ${columns}] matrix`)
  // Shared memory, like the NF4 codes, so that worker threads could use the base in place.
  const codes = new Int8Array(new SharedArrayBuffer(rows * columns))
  const scales = new Float32Array(new SharedArrayBuffer(rows * Float32Array.BYTES_PER_ELEMENT))
  const half = new Float32Array(columns)
  for (let row = 0; row < rows; row++) {
    let max = 0
    for (let c = 0; c < columns; c++) {
      half[c] = roundToFloat16(weights[row * columns + c]!)
      max = Math.max(max, Math.abs(half[c]!))
    }
    scales[row] = max
    const factor = int8RowFactor(max)
    for (let c = 0; c < columns; c++) codes[row * columns + c] = roundHalfEven(Math.fround(half[c]! * factor))
  }
  return { codes, scales, rows, columns }
}

/** Rows [start, start + count) dequantized (int8_vectorwise_dequant: code * SCB * 1/127 in float32), written into `out` from `offset`. */
export const dequantizeInt8Rows = (q: Int8Weights, start: number, count: number, out: Float32Array, offset = 0): void => {
  const { codes, scales, columns } = q
  for (let row = start; row < start + count; row++) {
    const scale = scales[row]!
    const at = offset + (row - start) * columns
    for (let c = 0; c < columns; c++) out[at + c] = Math.fround(codes[row * columns + c]! * scale) * int8DequantFactor
  }
}

export const dequantizeInt8 = (q: Int8Weights): Float32Array => {
  const out = new Float32Array(q.rows * q.columns)
  dequantizeInt8Rows(q, 0, q.rows, out)
  return out
}

/**
 * The weight as bitsandbytes' matmuls widen it (MatMul8bitFp's forward pass on the CPU and both
 * backward passes: CB * (SCB * 1/127), the row factor rounded to float32 first): one rounding
 * apart from int8_vectorwise_dequant's (CB * SCB) * 1/127 (dequantizeInt8).
 */
export const dequantizeInt8ForMatmul = ({ codes, scales, rows, columns }: Int8Weights): Float32Array => {
  const out = new Float32Array(rows * columns)
  for (let row = 0; row < rows; row++) {
    const factor = Math.fround(scales[row]! * int8DequantFactor)
    for (let c = 0; c < columns; c++) out[row * columns + c] = codes[row * columns + c]! * factor
  }
  return out
}

/** Bytes held by the quantized form: one byte per weight plus a float32 scale per row. */
export const int8Bytes = (q: Int8Weights): number => q.codes.byteLength + q.scales.byteLength
