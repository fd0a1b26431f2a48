// A device matrix as one float32 tensor of its stored shape, for the few uses that need the
// values themselves on the device (a LoRA merge's readWeight, a trainable copy for full
// fine-tuning): decoded on the device, tile by tile, then joined. The joined tensor is as large
// as the float32 matrix, so where that exceeds one binding (a matrix split because even its
// stored bytes did, or a 16-bit one whose float32 copy is twice its size) it is refused with
// BindingLimitError naming the tensor, its size and the limit, before anything is built; the
// forward and backward passes never call this. Reading a matrix to the host (matrixHostValues)
// goes in row blocks that each fit a binding, so it works at any size.
import * as tf from "@tensorflow/tfjs"
import { deviceBindingLimit, gatherTableRows } from "@peftlab/gpu-kernels"
import { dequantizeNf4 } from "../quantization/nf4.ts"
import { checkBinding } from "./binding-limit.ts"
import type { DeviceMatrix } from "./device-matrix.ts"
import { tileValues } from "./device-tiles.ts"

/** Refuses (BindingLimitError) a float32 copy of `matrix`, called `name`, that one binding cannot hold. */
export const checkFloat32Copy = (name: string, matrix: DeviceMatrix, use: string): void =>
  checkBinding(`${name} as float32 [${matrix.shape.join(", ")}]`, matrix.size * 4, `${use} needs it as one tensor; on this device the matrix is only multiplied tile by tile`)

/** The matrix, called `name` in errors, as one float32 tensor on the backend. */
export const matrixValues = (matrix: DeviceMatrix, name: string, use = "this use"): tf.Tensor2D => {
  checkFloat32Copy(name, matrix, use)
  if (matrix.storage === "NF4") return tf.tensor2d(dequantizeNf4(matrix.quantized), [...matrix.shape])
  return tf.tidy(() => {
    const parts = matrix.tiles.map(tileValues)
    return parts.length === 1 ? parts[0]! : (tf.concat(parts, 0) as tf.Tensor2D)
  })
}

/** The matrix's float32 values, row-major, on the host: decoded on the device a block of rows at a time, each block within one binding. */
export const matrixHostValues = async (matrix: DeviceMatrix): Promise<Float32Array> => {
  if (matrix.storage === "NF4") return dequantizeNf4(matrix.quantized)
  const columns = matrix.shape[1]
  const blockRows = Math.max(1, Math.floor((deviceBindingLimit() ?? Infinity) / (columns * 4)))
  const out = new Float32Array(matrix.size)
  for (const { firstRow, table } of matrix.tiles) {
    for (let start = 0; start < table.shape[0]; start += blockRows) {
      const end = Math.min(start + blockRows, table.shape[0])
      const block = tf.tidy(() => gatherTableRows(table, tf.range(start, end, 1, "int32") as tf.Tensor1D))
      out.set((await block.data()) as Float32Array, (firstRow + start) * columns)
      block.dispose()
    }
  }
  return out
}
