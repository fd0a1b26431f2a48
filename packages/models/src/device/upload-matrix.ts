// Builds device matrices (device-matrix.ts) from a checkpoint tensor's stored bytes as the
// loader reads them: 16-bit values are uploaded as they are (no float32 copy on the host or the
// device), split into row tiles of at most `maxTileBytes` each; NF4 codes are uploaded packed.
// Each tensor is put in device memory at once (uploadNow), so the host bytes can go before the
// next tensor is read: a load holds one stored tensor at a time on the host.
import * as tf from "@tensorflow/tfjs"
import { halfWeight, nf4WeightTensors, uploadNow, type GatherTable } from "@peftlab/gpu-kernels"
import type { Nf4Weights } from "../quantization/nf4.ts"
import type { SafetensorsDtype } from "../safetensors/dtype.ts"
import { tileTensors, type DeviceTile, type Nf4DeviceMatrix, type TiledDeviceMatrix } from "./device-matrix.ts"

export class TileSizeError extends RangeError {
  override readonly name = "TileSizeError"
}

/** Rows per tile of a matrix `columns` wide in `elementBytes`-byte values, so that each tile takes at most maxTileBytes. */
export const rowsPerTile = (rows: number, columns: number, elementBytes: number, maxTileBytes: number): number => {
  const fit = Math.floor(maxTileBytes / (columns * elementBytes))
  if (fit < 1) throw new TileSizeError(`one row of ${columns} ${elementBytes}-byte values (${columns * elementBytes} bytes) exceeds the ${maxTileBytes}-byte tile limit`)
  return Math.min(rows, fit)
}

const uploaded = <T extends tf.Tensor>(tensor: T): T => {
  uploadNow(tensor)
  return tensor
}

/** One tile's stored bytes as the tensor the kernels read, in device memory now. */
const uploadTile = (dtype: SafetensorsDtype, bytes: Uint8Array, shape: readonly [number, number]): GatherTable => {
  if (dtype === "F32") return uploaded(tf.tensor2d(new Float32Array(bytes.buffer, bytes.byteOffset, shape[0] * shape[1]), [...shape]))
  const weight = halfWeight(bytes, shape, dtype === "BF16" ? "bf16" : "f16")
  uploaded(weight.words)
  return weight
}

/**
 * The [rows, columns] matrix stored as `bytes` (F32, F16 or BF16, little-endian, as a fresh
 * read is: aligned) on the device, in row tiles of at most maxTileBytes (Infinity: one tile).
 */
export const uploadStoredMatrix = (dtype: SafetensorsDtype, shape: readonly [number, number], bytes: Uint8Array, maxTileBytes = Infinity): TiledDeviceMatrix => {
  const [rows, columns] = shape
  const elementBytes = dtype === "F32" ? 4 : 2
  if (bytes.byteLength !== rows * columns * elementBytes) throw new RangeError(`a ${dtype} [${rows}, ${columns}] matrix takes ${rows * columns * elementBytes} bytes, got ${bytes.byteLength}`)
  const step = rowsPerTile(rows, columns, elementBytes, maxTileBytes)
  const tiles: Array<DeviceTile> = []
  for (let firstRow = 0; firstRow < rows; firstRow += step) {
    const count = Math.min(step, rows - firstRow)
    const part = bytes.subarray(firstRow * columns * elementBytes, (firstRow + count) * columns * elementBytes)
    tiles.push({ firstRow, table: uploadTile(dtype, part, [count, columns]) })
  }
  return {
    kind: "device-matrix",
    shape,
    size: rows * columns,
    storage: dtype,
    bytes: bytes.byteLength,
    tiles,
    dispose: () => tf.dispose(tiles.map(tileTensors)),
  }
}

/** NF4 codes of a matrix [out, in] (flattened row-major) on the device; `quantized` stays referenced for readWeight. */
export const uploadNf4Matrix = (quantized: Nf4Weights, shape: readonly [number, number]): Nf4DeviceMatrix => {
  const nf4 = nf4WeightTensors(quantized, shape)
  uploaded(nf4.codes)
  uploaded(nf4.absmax)
  return {
    kind: "device-matrix",
    shape,
    size: shape[0] * shape[1],
    storage: "NF4",
    bytes: nf4.codes.size * 4 + nf4.absmax.size * 4,
    nf4,
    quantized,
    dispose: () => tf.dispose([nf4.codes, nf4.absmax]),
  }
}
