// The three products every module over a tiled device matrix is made of, for one tile of any
// storage: x tileᵀ, x tile, and the tile as float32. A float32 tile takes tfjs's matMul; a 16-bit
// one @peftlab/gpu-kernels' halfMatMul, which decodes it inside the kernel.
import * as tf from "@tensorflow/tfjs"
import { gatherTableRows, halfMatMul } from "@peftlab/gpu-kernels"
import { isHalfTile, type DeviceTile } from "./device-matrix.ts"

/** x [n, columns] times the tile transposed -> [n, tile rows]. */
export const timesTileTransposed = (x: tf.Tensor2D, { table }: DeviceTile): tf.Tensor2D =>
  (isHalfTile(table) ? halfMatMul(x, table, true) : tf.matMul(x, table, false, true)) as tf.Tensor2D

/** x [n, tile rows] times the tile -> [n, columns]. */
export const timesTile = (x: tf.Tensor2D, { table }: DeviceTile): tf.Tensor2D => (isHalfTile(table) ? halfMatMul(x, table, false) : tf.matMul(x, table)) as tf.Tensor2D

/** The tile as float32 [tile rows, columns] (a new tensor). */
export const tileValues = ({ table }: DeviceTile): tf.Tensor2D =>
  tf.tidy(() => (isHalfTile(table) ? gatherTableRows(table, tf.range(0, table.shape[0], 1, "int32") as tf.Tensor1D) : tf.clone(table)))

/** The tile's columns of x [n, all rows]: x[:, firstRow : firstRow + tile rows]. */
export const tileColumns = (x: tf.Tensor2D, { firstRow, table }: DeviceTile): tf.Tensor2D =>
  firstRow === 0 && x.shape[1] === table.shape[0] ? x : (x.slice([0, firstRow], [x.shape[0], table.shape[0]]) as tf.Tensor2D)

/**
 * The sum of the tiles' results, added pairwise in sequence: tfjs's addN binds every input in one
 * shader, and a device allows only so many storage buffers per stage (8 by WebGPU's default).
 */
export const sumOfParts = <T extends tf.Tensor>(parts: ReadonlyArray<T>): T => parts.slice(1).reduce((sum, part) => sum.add(part), parts[0]!)
