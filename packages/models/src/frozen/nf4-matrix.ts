// A frozen matrix held as NF4 codes (QLoRA's base), dequantized to float32 row by row when read:
// the packed codes and their block scales are all the host keeps.
import { dequantizeNf4Into, nf4Bytes, type Nf4Weights } from "../quantization/nf4.ts"
import type { FrozenMatrix } from "./frozen-matrix.ts"

export interface Nf4Matrix extends FrozenMatrix {
  readonly storage: "NF4"
  readonly quantized: Nf4Weights
}

/** `quantized` holds the matrix [rows, columns] flattened row-major. */
export const nf4Matrix = (quantized: Nf4Weights, shape: readonly [number, number]): Nf4Matrix => {
  const [rows, columns] = shape
  if (quantized.length !== rows * columns) throw new RangeError(`NF4 weights of ${quantized.length} values cannot be a [${rows}, ${columns}] matrix`)
  return {
    kind: "frozen-matrix",
    shape,
    size: quantized.length,
    storage: "NF4",
    bytes: nf4Bytes(quantized),
    quantized,
    share: { storage: "NF4", shape, quantized },
    readRows: (start, count, out, offset = 0) => dequantizeNf4Into(quantized, start * columns, (start + count) * columns, out, offset),
  }
}
