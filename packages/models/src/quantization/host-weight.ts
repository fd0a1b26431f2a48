// A Linear's weight [out, in] read to the host in float32 for quantizing (NF4 or int8): a weight
// held on the device (webgpu) is read in row blocks, never as one float32 tensor (which one
// binding may not hold); anything else through readWeight.
import { isDeviceLinear } from "../device/device-matrix.ts"
import { matrixHostValues } from "../device/device-values.ts"
import type { Linear } from "../layers/linear.ts"

/** [rows, columns] row-major -> its transpose, row-major. */
const transposed = (values: Float32Array, [rows, columns]: readonly [number, number]): Float32Array => {
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c]!
  return out
}

/** The weight [out, in] in float32 on the host. Async because some backends (webgpu) only read asynchronously. */
export const hostWeight = async (source: Linear): Promise<Float32Array> => {
  const matrix = isDeviceLinear(source) ? source.deviceMatrix : undefined
  if (matrix && matrix.storage !== "NF4") {
    const stored = await matrixHostValues(matrix)
    return source.storedTransposed ? transposed(stored, matrix.shape) : stored
  }
  const weight = source.readWeight()
  const values = (await weight.data()) as Float32Array
  weight.dispose()
  return values
}
