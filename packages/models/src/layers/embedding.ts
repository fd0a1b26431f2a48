// Token embeddings: rows of the [vocab, hidden] table by id, from a tensor on the backend
// (tf.gather) or from a host-held frozen matrix (the rows widened on the host, so the table
// never enters the backend's memory).
import * as tf from "@tensorflow/tfjs"
import { gatherRows, isFrozenMatrix } from "../frozen/frozen-matrix.ts"
import type { Matrix } from "./projection.ts"

/** ids [batch, time] -> [batch, time, hidden]. */
export const embedTokens = (table: Matrix, ids: tf.Tensor2D): tf.Tensor3D => {
  if (!isFrozenMatrix(table)) return tf.tidy(() => tf.gather(table, ids.toInt()) as tf.Tensor as tf.Tensor3D)
  const [batch, time] = ids.shape
  return tf.tensor3d(gatherRows(table, ids.dataSync()), [batch, time, table.shape[1]])
}
