// One .safetensors file opened for reading tensor by tensor: the header is read and checked at
// open, and each tensor's bytes are read at their offset when asked for. Nothing reads the whole
// file, so a checkpoint of any size (a 2.2 GB bf16 TinyLlama, a 5 GB shard) opens, and loading
// holds one stored tensor at a time beside the model.
import { open, type FileHandle } from "node:fs/promises"
import { Effect, Result, type Scope } from "effect"
import { ModelFileError } from "../model-file-error.ts"
import { decodeToFloat32, dtypes, isReadableDtype, type SafetensorsDtype } from "./dtype.ts"
import { decodeEntry, layoutProblem, metadataKey, type TensorEntry } from "./header.ts"

export interface SafetensorsTensor {
  /** The stored element type; `data` is always widened to float32. */
  readonly dtype: SafetensorsDtype
  readonly shape: number[]
  readonly data: Float32Array
}

/** A tensor's bytes as stored (little-endian), in a fresh buffer aligned for typed-array views. */
export interface StoredTensor {
  readonly dtype: SafetensorsDtype
  readonly shape: number[]
  readonly bytes: Uint8Array
}

export interface SafetensorsFile {
  readonly path: string
  /** Every tensor of the header, by name, in file order; their dtype may be one peftlab cannot read. */
  readonly entries: ReadonlyMap<string, TensorEntry>
  /** A tensor's values as float32; fails naming the tensor when its dtype is not F32, F16 or BF16. */
  readonly read: (name: string) => Effect.Effect<SafetensorsTensor, ModelFileError>
  /** A tensor's stored bytes, undecoded (a frozen base kept in bf16), in a SharedArrayBuffer; the same dtype check as `read`. */
  readonly readStored: (name: string) => Effect.Effect<StoredTensor, ModelFileError>
}

// JSON headers of real checkpoints are tens of kilobytes; the format's own reader caps them at 100 MB.
const maxHeaderBytes = 100_000_000

/** Bytes read from `position`, into a SharedArrayBuffer when `shared` (a frozen base's bytes, which worker threads can then use in place). */
const readAt = (handle: FileHandle, path: string, position: number, length: number, shared = false): Effect.Effect<Uint8Array, ModelFileError> =>
  Effect.tryPromise({
    try: async () => {
      const bytes = new Uint8Array(shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length))
      let done = 0
      while (done < length) {
        const { bytesRead } = await handle.read(bytes, done, length - done, position + done)
        if (bytesRead === 0) throw new Error(`the file ends ${length - done} bytes short of byte ${position + length}`)
        done += bytesRead
      }
      return bytes
    },
    catch: (cause) => new ModelFileError({ source: path, detail: `cannot read: ${cause instanceof Error ? cause.message : String(cause)}` }),
  })

const parseHeader = (json: Uint8Array): Result.Result<Record<string, unknown>, string> => {
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder().decode(json))
  } catch (cause) {
    return Result.fail(`header is not valid JSON: ${(cause as Error).message}`)
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return Result.fail("header is not a JSON object of tensor entries")
  return Result.succeed(header as Record<string, unknown>)
}

const openHandle = (path: string): Effect.Effect<FileHandle, ModelFileError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => open(path, "r"),
      catch: (cause) =>
        new ModelFileError({ source: path, detail: (cause as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot read: ${String(cause)}` }),
    }),
    (handle) => Effect.promise(() => handle.close()),
  )

/** Opens `path` and checks its header; the file stays open until the scope closes. */
export const openSafetensors = (path: string): Effect.Effect<SafetensorsFile, ModelFileError, Scope.Scope> =>
  Effect.gen(function* () {
    const fail = (detail: string) => Effect.fail(new ModelFileError({ source: path, detail }))
    const handle = yield* openHandle(path)
    const size = (yield* Effect.promise(() => handle.stat())).size
    if (size < 8) return yield* fail(`file has ${size} bytes, fewer than the 8-byte header length`)
    const headerLength = new DataView((yield* readAt(handle, path, 0, 8)).buffer).getBigUint64(0, true)
    if (headerLength > BigInt(size - 8)) return yield* fail(`header length ${headerLength} runs past the end of the file (${size} bytes)`)
    if (headerLength > BigInt(maxHeaderBytes)) return yield* fail(`header length ${headerLength} is over ${maxHeaderBytes} bytes: not a safetensors file`)
    const dataStart = 8 + Number(headerLength)
    const header = parseHeader(yield* readAt(handle, path, 8, Number(headerLength)))
    if (Result.isFailure(header)) return yield* fail(header.failure)
    const entries = new Map<string, TensorEntry>()
    for (const [name, raw] of Object.entries(header.success)) {
      if (name === metadataKey) continue
      const entry = decodeEntry(name, raw, size - dataStart)
      if (Result.isFailure(entry)) return yield* fail(entry.failure)
      entries.set(name, entry.success)
    }
    const layout = layoutProblem(entries.values(), size - dataStart)
    if (layout !== undefined) return yield* fail(layout)
    const readStored = (name: string): Effect.Effect<StoredTensor, ModelFileError> =>
      Effect.gen(function* () {
        const entry = entries.get(name)
        if (entry === undefined) return yield* fail(`no tensor "${name}"`)
        const { dtype, shape, begin, end } = entry
        if (!isReadableDtype(dtype)) return yield* fail(`tensor "${name}" is ${dtype}; peftlab reads model weights stored as ${dtypes.join(", ")}`)
        return { dtype, shape: [...shape], bytes: yield* readAt(handle, path, dataStart + begin, end - begin, true) }
      })
    const read = (name: string): Effect.Effect<SafetensorsTensor, ModelFileError> =>
      Effect.map(readStored(name), ({ dtype, shape, bytes }) => ({ dtype, shape, data: decodeToFloat32(dtype, bytes) }))
    return { path, entries, read, readStored }
  })
