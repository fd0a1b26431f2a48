// Token embeddings: rows of the [vocab, hidden] table by id, from a tensor on the backend
// (tf.gather), from a host-held frozen matrix (the rows widened on the host, so the table
// never enters the backend's memory), or from a device-held one (gathered on the device in
// vocabulary tiles, device/device-embedding.ts).
import * as tf from "@tensorflow/tfjs"
import { embedFromDevice } from "../device/device-embedding.ts"
import { isDeviceMatrix } from "../device/device-matrix.ts"
import { gatherRows, isFrozenMatrix } from "../frozen/frozen-matrix.ts"
import type { Matrix } from "./projection.ts"

/** ids [batch, time] -> [batch, time, hidden]. */
export const embedTokens = (table: Matrix, ids: tf.Tensor2D): tf.Tensor3D => {
  if (isDeviceMatrix(table)) return embedFromDevice(table, ids)
  if (!isFrozenMatrix(table)) return tf.tidy(() => tf.gather(table, ids.toInt()) as tf.Tensor as tf.Tensor3D)
  const [batch, time] = ids.shape
  return tf.tensor3d(gatherRows(table, ids.dataSync()), [batch, time, table.shape[1]])
}
