// Writes a .safetensors file tensor by tensor, for checkpoints too large to hold whole: the
// header is computed from the shapes alone, then each tensor is filled, encoded and appended
// while only it is in memory. Same layout as write.ts (header padded with spaces to a multiple
// of 8) and written as atomically: to `<path>.tmp-<pid>`, renamed into place once complete.
import { mkdir, open, rename, unlink, type FileHandle } from "node:fs/promises"
import { dirname } from "node:path"
import { Effect } from "effect"
import { asFileSystemError } from "@peftlab/core"
import { ModelFileError } from "../model-file-error.ts"
import { storedDtypeBytes, type SafetensorsDtype } from "./dtype.ts"
import { encodeFromFloat32 } from "./encode-dtype.ts"
import { elementCount, metadataKey } from "./header.ts"

export interface TensorShape {
  readonly name: string
  readonly shape: ReadonlyArray<number>
}

/** The float32 values of one tensor, in row-major order; called once per tensor, in order. */
export type FillTensor = (name: string, shape: ReadonlyArray<number>) => Float32Array

export const tensorBytes = (shape: ReadonlyArray<number>, dtype: SafetensorsDtype): number => elementCount(shape) * storedDtypeBytes[dtype]

/** The 8-byte little-endian header length, the JSON header and its padding, for `tensors` stored in order. */
export const safetensorsHeader = (
  tensors: ReadonlyArray<TensorShape>,
  dtype: SafetensorsDtype,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array => {
  const header: Record<string, unknown> = metadata ? { [metadataKey]: metadata } : {}
  let offset = 0
  for (const { name, shape } of tensors) {
    const end = offset + tensorBytes(shape, dtype)
    header[name] = { dtype, shape, data_offsets: [offset, end] }
    offset = end
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerLength = Math.ceil(json.length / 8) * 8
  const bytes = new Uint8Array(8 + headerLength).fill(0x20)
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength), true)
  bytes.set(json, 8)
  return bytes
}

/** Runs `action`, reporting any failure as a ModelFileError naming `path`. */
export const io = async <A>(path: string, action: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (cause) {
    throw new ModelFileError({ source: path, detail: asFileSystemError(cause)?.detail ?? `cannot ${action}: ${(cause as Error).message ?? String(cause)}` })
  }
}

/** An async writer as an Effect: its ModelFileErrors are failures, anything else thrown (a bug in a fill) a defect. */
export const writing = <A>(run: () => Promise<A>): Effect.Effect<A, ModelFileError> =>
  Effect.flatMap(
    Effect.promise(() =>
      run().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => {
          if (error instanceof ModelFileError) return { ok: false as const, error }
          throw error
        },
      ),
    ),
    (result) => (result.ok ? Effect.succeed(result.value) : Effect.fail(result.error)),
  )

// Encoded in slices so a tensor's f16/bf16 bytes never need a second full-size buffer.
const sliceElements = 1 << 22

/** A file being written: its tensors are appended in header order, then it is committed (renamed into place) or discarded. */
export interface StreamingFile {
  readonly path: string
  /** Appends the next tensor's values; fails naming the file and tensor if their count is wrong. */
  readonly append: (values: Float32Array) => Promise<void>
  /** Closes the temporary file; every tensor must have been appended. */
  readonly close: () => Promise<void>
  /** Renames the closed temporary file to `path`. */
  readonly commit: () => Promise<void>
  /** Closes and removes the temporary file, leaving any earlier `path` as it was. */
  readonly discard: () => Promise<void>
}

export const openStreamingFile = async (
  path: string,
  tensors: ReadonlyArray<TensorShape>,
  dtype: SafetensorsDtype,
  metadata?: Readonly<Record<string, string>>,
): Promise<StreamingFile> => {
  const names = new Set<string>()
  for (const { name } of tensors) {
    if (names.has(name) || name === metadataKey) throw new ModelFileError({ source: path, detail: `tensor "${name}" is named twice or reserved` })
    names.add(name)
  }
  const tmp = `${path}.tmp-${process.pid}`
  await io(path, "create its folder", () => mkdir(dirname(path), { recursive: true }))
  let handle: FileHandle | undefined = await io(path, "write", () => open(tmp, "w"))
  let position = 0
  const put = async (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await io(path, "write", () => (handle as FileHandle).write(bytes, done, bytes.length - done, position))
      done += bytesWritten
      position += bytesWritten
    }
  }
  let next = 0
  const file: StreamingFile = {
    path,
    append: async (values) => {
      const tensor = tensors[next]
      if (!tensor || !handle) throw new ModelFileError({ source: path, detail: `more tensors appended than its ${tensors.length}` })
      const expected = elementCount(tensor.shape)
      if (values.length !== expected) {
        throw new ModelFileError({ source: path, detail: `tensor "${tensor.name}": shape [${tensor.shape.join(", ")}] needs ${expected} values, got ${values.length}` })
      }
      for (let start = 0; start < values.length; start += sliceElements) {
        await put(encodeFromFloat32(dtype, values.subarray(start, start + sliceElements)))
      }
      next++
    },
    close: async () => {
      if (next !== tensors.length) throw new ModelFileError({ source: path, detail: `closed after ${next} of its ${tensors.length} tensors` })
      const closing = handle
      handle = undefined
      await io(path, "write", () => closing?.close() ?? Promise.resolve())
    },
    commit: () => io(path, "write", () => rename(tmp, path)),
    discard: async () => {
      const closing = handle
      handle = undefined
      await closing?.close().catch(() => undefined)
      await unlink(tmp).catch(() => undefined)
    },
  }
  try {
    await put(safetensorsHeader(tensors, dtype, metadata))
  } catch (error) {
    await file.discard()
    throw error
  }
  return file
}

/** A FillTensor that may read its values first (a merge reads each base tensor from its file). */
export type AsyncFillTensor = (name: string, shape: ReadonlyArray<number>) => Float32Array | Promise<Float32Array>

/**
 * Writes `tensors` to `path` as `dtype`, calling `fill` for each in order and holding only
 * that tensor's values at a time. Fails with a ModelFileError naming `path` on an I/O error
 * or a fill of the wrong length; `path` then is left as it was.
 */
export const writeSafetensorsStreaming = (
  path: string,
  tensors: ReadonlyArray<TensorShape>,
  dtype: SafetensorsDtype,
  fill: AsyncFillTensor,
  metadata?: Readonly<Record<string, string>>,
): Effect.Effect<void, ModelFileError> =>
  writing(async () => {
    const file = await openStreamingFile(path, tensors, dtype, metadata)
    try {
      for (const { name, shape } of tensors) await file.append(await fill(name, shape))
      await file.close()
      await file.commit()
    } catch (error) {
      await file.discard()
      throw error
    }
  })
