// The activation side of LLM.int8() as bitsandbytes 0.50.2 computes it on the CPU
// (backends/default/ops.py, int8_vectorwise_quant with a threshold): the input [rows, in] is cast
// to float16; every column holding an entry with |x| >= threshold is an outlier column, left to a
// higher-precision product; each row is scaled by 127 / its absolute maximum (int8RowFactor; the outlier entries
// themselves left out of the maximum, the rest of their columns kept in it) and rounded half to
// even, and the outlier columns' codes are zero.
import { roundHalfEven, roundToFloat16 } from "./float16.ts"
import { int8RowFactor } from "./int8.ts"

/** transformers' BitsAndBytesConfig default llm_int8_threshold. */
export const defaultInt8Threshold = 6

export interface Int8Activations {
  /** CA [rows, in] as float32 integers in [-127, 127] (zero in outlier columns). */
  readonly codes: Float32Array
  /** SCA [rows]: each row's absmax in float16, as float32. */
  readonly scales: Float32Array
  /** The outlier columns, ascending. */
  readonly outlierColumns: ReadonlyArray<number>
}

export const quantizeActivations = (x: Float32Array, rows: number, columns: number, threshold = defaultInt8Threshold): Int8Activations => {
  const half = x.map(roundToFloat16)
  // A threshold of 0 holds nothing back (bitsandbytes' threshold=0.0).
  const isOutlier = (value: number) => threshold > 0 && Math.abs(value) >= threshold
  const outlier = new Uint8Array(columns)
  for (let i = 0; i < half.length; i++) if (isOutlier(half[i]!)) outlier[i % columns] = 1
  const codes = new Float32Array(rows * columns)
  const scales = new Float32Array(rows)
  for (let row = 0; row < rows; row++) {
    let max = 0
    for (let c = 0; c < columns; c++) {
      const value = half[row * columns + c]!
      if (!isOutlier(value)) max = Math.max(max, Math.abs(value))
    }
    scales[row] = max
    // A row of zeros (or of outliers only) has nothing to scale: its codes stay zero.
    const factor = int8RowFactor(max)
    for (let c = 0; c < columns; c++) {
      if (outlier[c] === 0) codes[row * columns + c] = roundHalfEven(Math.fround(half[row * columns + c]! * factor))
    }
  }
  const outlierColumns = [...outlier.keys()].filter((c) => outlier[c] === 1)
  return { codes, scales, outlierColumns }
}
