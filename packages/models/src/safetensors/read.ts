// Reads a whole .safetensors file into float32 arrays. Models here are small enough to read
// at once; every header problem is reported with the file and the tensor at fault.
import { Effect, Result } from "effect"
import { ModelFileError } from "../model-file-error.ts"
import { readModelFile } from "../read-model-file.ts"
import { decodeToFloat32, type SafetensorsDtype } from "./dtype.ts"
import { decodeEntry, metadataKey } from "./header.ts"

export interface SafetensorsTensor {
  /** The stored element type; `data` is always widened to float32. */
  readonly dtype: SafetensorsDtype
  readonly shape: number[]
  readonly data: Float32Array
}

const parseHeader = (bytes: Uint8Array): Result.Result<{ header: Record<string, unknown>; dataStart: number }, string> => {
  if (bytes.length < 8) return Result.fail(`file has ${bytes.length} bytes, fewer than the 8-byte header length`)
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
  if (headerLength > BigInt(bytes.length - 8)) {
    return Result.fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`)
  }
  const dataStart = 8 + Number(headerLength)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart)))
  } catch (cause) {
    return Result.fail(`header is not valid JSON: ${(cause as Error).message}`)
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    return Result.fail("header is not a JSON object of tensor entries")
  }
  return Result.succeed({ header: header as Record<string, unknown>, dataStart })
}

export const readSafetensors = (path: string): Effect.Effect<Map<string, SafetensorsTensor>, ModelFileError> =>
  Effect.gen(function* () {
    const bytes = yield* readModelFile(path)
    const fail = (detail: string) => Effect.fail(new ModelFileError({ source: path, detail }))
    const parsed = parseHeader(bytes)
    if (Result.isFailure(parsed)) return yield* fail(parsed.failure)
    const { header, dataStart } = parsed.success
    const data = bytes.subarray(dataStart)
    const tensors = new Map<string, SafetensorsTensor>()
    for (const [name, raw] of Object.entries(header)) {
      if (name === metadataKey) continue
      const entry = decodeEntry(name, raw, data.length)
      if (Result.isFailure(entry)) return yield* fail(entry.failure)
      const { dtype, shape, begin, end } = entry.success
      tensors.set(name, { dtype, shape: [...shape], data: decodeToFloat32(dtype, data.subarray(begin, end)) })
    }
    return tensors
  })
