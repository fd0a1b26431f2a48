// A device matrix as one float32 tensor of its stored shape, for the few uses that need the
// values themselves (a LoRA merge's readWeight, a trainable copy for full fine-tuning, reading
// parameters to the host): decoded on the device, tile by tile, then joined. The joined tensor
// is as large as the float32 matrix, so a matrix split because it exceeds one binding cannot be
// used this way on webgpu; the forward and backward passes never call this.
import * as tf from "@tensorflow/tfjs"
import { dequantizeNf4 } from "../quantization/nf4.ts"
import type { DeviceMatrix } from "./device-matrix.ts"
import { tileValues } from "./device-tiles.ts"

export const matrixValues = (matrix: DeviceMatrix): tf.Tensor2D => {
  if (matrix.storage === "NF4") return tf.tensor2d(dequantizeNf4(matrix.quantized), [...matrix.shape])
  return tf.tidy(() => {
    const parts = matrix.tiles.map(tileValues)
    return parts.length === 1 ? parts[0]! : (tf.concat(parts, 0) as tf.Tensor2D)
  })
}
