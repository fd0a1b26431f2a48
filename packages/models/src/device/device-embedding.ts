// Token embeddings from a device matrix: each tile gathers the rows whose ids fall in it (zeros
// elsewhere, @peftlab/gpu-kernels' gatherTableRows) and the tiles' results are summed, so a
// table larger than one binding is read in vocabulary tiles, decoded from its stored precision
// as each row is read, all on the device: the ids are never read back to the host.
import * as tf from "@tensorflow/tfjs"
import { gatherTableRows } from "@peftlab/gpu-kernels"
import type { DeviceMatrix } from "./device-matrix.ts"
import { sumOfParts } from "./device-tiles.ts"

export class DeviceEmbeddingError extends Error {
  override readonly name = "DeviceEmbeddingError"
}

/** ids [batch, time] -> [batch, time, hidden]. */
export const embedFromDevice = (table: DeviceMatrix, ids: tf.Tensor2D): tf.Tensor3D => {
  if (table.storage === "NF4") throw new DeviceEmbeddingError("an NF4 matrix cannot be a token embedding: embeddings stay in their stored precision")
  const [batch, time] = ids.shape
  return tf.tidy(() => {
    const flat = ids.toInt().reshape([batch * time]) as tf.Tensor1D
    const parts = table.tiles.map(({ firstRow, table: tile }) => gatherTableRows(tile, flat, firstRow))
    const rows = sumOfParts(parts)
    return rows.reshape([batch, time, table.shape[1]]) as tf.Tensor3D
  })
}
