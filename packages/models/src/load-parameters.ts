// Checks a checkpoint against the shapes config.json implies, then reads it tensor by tensor
// into tf.Tensors, or with weights "host" its weight matrices into frozen matrices on the host
// (their stored bytes, or NF4 codes quantized as each is read, so the full-precision model never
// exists), or with weights "device" into device matrices (the same stored bytes or NF4 codes
// uploaded to the webgpu device, split in row tiles where one would exceed a binding). Every
// shape and dtype is checked from the headers before any value is read or any tensor created, so
// a bad file leaks nothing, and loading holds one stored tensor at a time beside the model.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { deviceBindingLimit } from "@peftlab/gpu-kernels"
import type { Architecture } from "./architecture.ts"
import type { DeviceMatrix } from "./device/device-matrix.ts"
import { uploadNf4Matrix, uploadStoredMatrix } from "./device/upload-matrix.ts"
import { matrixFromShare, type SharedMatrices } from "./frozen/shared-matrix.ts"
import type { FrozenMatrix } from "./frozen/frozen-matrix.ts"
import { nf4Matrix } from "./frozen/nf4-matrix.ts"
import { storedMatrix } from "./frozen/stored-matrix.ts"
import { ModelFileError } from "./model-file-error.ts"
import { dtypes, isReadableDtype } from "./safetensors/dtype.ts"
import { disposeParameters, type Parameter } from "./parameters.ts"
import { quantizeNf4 } from "./quantization/nf4.ts"
import { decodeToFloat32 } from "./safetensors/dtype.ts"
import type { Checkpoint, StoredTensor } from "./safetensors/index.ts"

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** Stored tensor names by the names the architecture expects (see Architecture.canonicalName). */
const storedNames = (architecture: Architecture, names: Iterable<string>): Map<string, string> => {
  const canonical = architecture.canonicalName
  const byCanonical = new Map<string, string>()
  for (const name of names) {
    const to = canonical ? canonical(name) : name
    if (to !== undefined && !byCanonical.has(to)) byCanonical.set(to, name)
  }
  return byCanonical
}

/** How much of the checkpoint's stored bytes (those of the tensors the model uses) are read. */
export interface LoadProgress {
  readonly bytes: number
  readonly total: number
}

/** Where a base's frozen weight matrices live. */
export interface Placement {
  /**
   * "backend" (the default): every parameter a float32 tensor on the tfjs backend. "host": the
   * weight matrices (linear weights, the token embedding) stay in host memory as stored (bf16,
   * f16, f32) and are widened per use. "device" (for webgpu): they stay in device memory as
   * stored (16-bit values packed, never widened) or as NF4 codes with quantize, in row tiles of at
   * most maxTileBytes. Either way norms, biases and position tables are tensors still.
   */
  readonly weights?: "backend" | "host" | "device"
  /**
   * The linear weights (not the token embedding, not lm_head) quantized to NF4 as they are read
   * (QLoRA's base); held on the host unless weights is "device".
   */
  readonly quantize?: { readonly type: "nf4"; readonly blockSize?: number }
  /**
   * weights "device": the most bytes one tensor of a device matrix takes; a larger matrix is split
   * in tiles of whole rows (the embedding gathered, the LM head computed, tile by tile). By
   * default the webgpu device's own limit (maxStorageBufferBindingSize, maxBufferSize), and no
   * split on other backends. Tests set it low to exercise the tiles on a tiny model.
   */
  readonly maxTileBytes?: number
  /**
   * Frozen matrices another thread loaded from the same checkpoint with the same placement
   * (sharedMatrices of its model's parameters): used in place of reading and converting those
   * tensors again, so the threads share one copy of the base.
   */
  readonly shared?: SharedMatrices
}

const isLmHead = (name: string) => name === "lm_head.weight"

/** [out, in] float32 values of a linear weight stored as `stored` ([in, out] when storedTransposed). */
const outByIn = (stored: StoredTensor, storedTransposed: boolean): Float32Array => {
  const values = decodeToFloat32(stored.dtype, stored.bytes)
  if (!storedTransposed) return values
  const [rows, columns] = stored.shape as [number, number]
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c] as number
  return out
}

/** Where `placement` puts the weight matrices. */
const matrixHome = (placement: Placement): "backend" | "host" | "device" =>
  placement.weights === "device" ? "device" : placement.weights === "host" || placement.quantize !== undefined ? "host" : "backend"

/** The frozen (host) or device matrix for `name` under `placement`, or undefined where it stays a tensor. */
const heldMatrix = (architecture: Architecture, placement: Placement, name: string, stored: StoredTensor): FrozenMatrix | DeviceMatrix | undefined => {
  const home = matrixHome(placement)
  if (home === "backend" || stored.shape.length !== 2 || architecture.isBackendTable?.(name)) return undefined
  const shape = stored.shape as [number, number]
  if (placement.quantize === undefined || name === architecture.tokenEmbeddingName || isLmHead(name)) {
    return home === "host" ? storedMatrix(stored.dtype, shape, stored.bytes) : uploadStoredMatrix(stored.dtype, shape, stored.bytes, placement.maxTileBytes ?? deviceBindingLimit())
  }
  // NF4 matrices are [out, in] whatever the checkpoint's layout, as bitsandbytes quantizes nn.Linear's weight.
  const transposed = architecture.isStoredTransposed?.(name) ?? false
  const quantized = quantizeNf4(outByIn(stored, transposed), placement.quantize.blockSize ?? 64)
  const outIn: [number, number] = transposed ? [shape[1], shape[0]] : shape
  return home === "host" ? nf4Matrix(quantized, outIn) : uploadNf4Matrix(quantized, outIn)
}

/** Tensors the model does not use are skipped, whatever their dtype. */
export const loadParameters = <Config>(
  architecture: Architecture<Config>,
  config: Config,
  checkpoint: Checkpoint,
  onProgress?: (progress: LoadProgress) => void,
  placement: Placement = {},
): Effect.Effect<Map<string, Parameter>, ModelFileError> =>
  Effect.gen(function* () {
    const expected = architecture.parameterShapes(config)
    const stored = storedNames(architecture as Architecture, checkpoint.entries.keys())
    const present: Array<[name: string, storedName: string, shape: ReadonlyArray<number>]> = []
    for (const [name, shape] of expected) {
      const storedName = stored.get(name)
      if (storedName === undefined && architecture.isOptional?.(name)) continue
      if (storedName === undefined) return yield* Effect.fail(new ModelFileError({ source: checkpoint.source, detail: `missing tensor "${name}"` }))
      const entry = checkpoint.entries.get(storedName)!
      const fail = (detail: string) => Effect.fail(new ModelFileError({ source: entry.file, detail }))
      if (!sameShape(entry.shape, shape)) return yield* fail(`tensor "${name}" has shape [${entry.shape.join(", ")}], but config.json implies [${shape.join(", ")}]`)
      if (!isReadableDtype(entry.dtype)) return yield* fail(`tensor "${name}" is ${entry.dtype}; peftlab reads model weights stored as ${dtypes.join(", ")}`)
      present.push([name, storedName, shape])
    }
    const sizeOf = (storedName: string) => checkpoint.entries.get(storedName)!.end - checkpoint.entries.get(storedName)!.begin
    const total = present.reduce((sum, [, storedName]) => sum + sizeOf(storedName), 0)
    const parameters = new Map<string, Parameter>()
    const read = Effect.gen(function* () {
      let bytes = 0
      onProgress?.({ bytes, total })
      for (const [name, storedName, shape] of present) {
        const share = placement.shared?.get(name)
        if (share !== undefined && sameShape(share.shape, shape)) parameters.set(name, matrixFromShare(share))
        else {
          const stored = yield* checkpoint.readStored(storedName)
          parameters.set(name, heldMatrix(architecture as Architecture, placement, name, stored) ?? tf.tensor(decodeToFloat32(stored.dtype, stored.bytes), [...shape]))
        }
        bytes += sizeOf(storedName)
        onProgress?.({ bytes, total })
      }
      return parameters
    })
    // A read that fails midway (a truncated shard) leaves no tensor behind.
    return yield* read.pipe(Effect.tapError(() => Effect.sync(() => disposeParameters(parameters))))
  })
