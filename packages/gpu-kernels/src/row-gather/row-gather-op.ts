// Rows of a frozen table by id (a token embedding lookup) from one tile of a table split by rows:
// ids outside the tile give zero rows, so summing the tiles' results gathers from the whole table
// though no binding ever holds more than one tile. The tile is a float32 tensor, or a 16-bit
// HalfWeight (see half-weight.ts) decoded as it is read.
import * as tf from "@tensorflow/tfjs"
import { halfDecode, type HalfWeight } from "../half-matmul/half-weight.ts"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { rowGatherKernelName } from "./row-gather-kernel.ts"

export type GatherTable = tf.Tensor2D | HalfWeight

const isHalf = (table: GatherTable): table is HalfWeight => "words" in table

/** ids [count] (int32) -> [count, cols]: row id - firstRow of `table`, zeros where the id is outside the table's rows. */
export const gatherTableRows = (table: GatherTable, ids: tf.Tensor1D, firstRow = 0): tf.Tensor2D => {
  const [tableRows, cols] = table.shape
  tf.util.assert(ids.dtype === "int32", () => `gatherTableRows: ids must be int32, got ${ids.dtype}`)
  if (usesWgslKernel(rowGatherKernelName)) {
    const storage = isHalf(table) ? table.storage : "f32"
    return runKernel(rowGatherKernelName, { ids, table: isHalf(table) ? table.words : table }, { tableRows, cols, firstRow, storage }) as tf.Tensor2D
  }
  return tf.tidy(() => {
    const values = isHalf(table) ? halfDecode(table) : table
    const local = ids.sub(tf.scalar(firstRow, "int32"))
    const inside = local.greaterEqual(0).logicalAnd(local.less(tableRows))
    const rows = tf.gather(values, local.clipByValue(0, tableRows - 1))
    // where, not a product with the mask: -w × 0 would be -0, not the kernel's 0.
    return tf.where(inside.expandDims(1).tile([1, cols]), rows, tf.zerosLike(rows)) as tf.Tensor2D
  })
}
