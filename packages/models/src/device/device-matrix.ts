// A frozen weight matrix held in device memory (webgpu) in the precision the checkpoint stores
// it in, instead of as one float32 tensor: bf16 and f16 stay 16-bit (packed two per int32 word,
// see @peftlab/gpu-kernels' half-weight.ts), f32 stays f32, and a QLoRA base's linear weights
// are NF4 codes. A matrix whose bytes exceed what one binding may hold (the device's
// maxStorageBufferBindingSize: 128 MiB on lavapipe, under TinyLlama's 32000×2048 embedding in
// f32) is split into tiles of whole rows, each its own tensor; the kernels that read it
// (device-linear.ts, device-embedding.ts) go tile by tile. Nothing widens it whole. Also what a
// module multiplying by one is (DeviceLinear), for the modules that read its matrix back.
import * as tf from "@tensorflow/tfjs"
import type { GatherTable, Nf4Weight } from "@peftlab/gpu-kernels"
import type { Linear } from "../layers/linear.ts"
import type { Nf4Weights } from "../quantization/nf4.ts"

/** Rows [firstRow, firstRow + rows) of a matrix: a float32 tensor, or packed 16-bit words. */
export interface DeviceTile {
  readonly firstRow: number
  readonly table: GatherTable
}

interface DeviceMatrixCommon {
  /** Tells a device matrix from a tf.Tensor or a host-held frozen matrix in a model's parameters. */
  readonly kind: "device-matrix"
  /** [rows, columns] as the checkpoint stores it (nn.Linear: [out, in]; NF4: [out, in] always). */
  readonly shape: readonly [number, number]
  /** rows * columns. */
  readonly size: number
  /** Device bytes held. */
  readonly bytes: number
  /** Frees the device tensors. */
  dispose(): void
}

/** Float32 or 16-bit values as stored, in row tiles (one tile when the matrix fits a binding). */
export interface TiledDeviceMatrix extends DeviceMatrixCommon {
  readonly storage: "F32" | "BF16" | "F16"
  readonly tiles: ReadonlyArray<DeviceTile>
}

/** NF4 codes and scales on the device (nf4MatMul's tensors), and the same codes on the host for readWeight. */
export interface Nf4DeviceMatrix extends DeviceMatrixCommon {
  readonly storage: "NF4"
  readonly nf4: Nf4Weight
  readonly quantized: Nf4Weights
}

export type DeviceMatrix = TiledDeviceMatrix | Nf4DeviceMatrix

export const isDeviceMatrix = (value: unknown): value is DeviceMatrix =>
  typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "device-matrix"

export interface DeviceLinear extends Linear {
  readonly deviceMatrix: DeviceMatrix
}

/** Whether `module` multiplies by a device matrix with its own kernels (a fused kernel over readWeight would widen the weight per call). */
export const isDeviceLinear = (module: Linear): module is DeviceLinear => "deviceMatrix" in module

export const isHalfTile = (table: GatherTable): table is Exclude<GatherTable, tf.Tensor> => !(table instanceof tf.Tensor)

/** A tile's tensors, for disposal. */
export const tileTensors = ({ table }: DeviceTile): tf.Tensor => (isHalfTile(table) ? table.words : table)
