// Writes float32 tensors as .safetensors. The header is padded with spaces to a multiple of
// 8 bytes (as the reference implementation does) so the data section stays aligned; the file
// is written atomically, so it appears only once complete.
import { Effect } from "effect"
import { asFileSystemError, writeFileAtomic } from "@peftlab/core"
import { ModelFileError } from "../model-file-error.ts"
import { elementCount } from "./header.ts"
import { safetensorsHeader } from "./write-streaming.ts"

export interface Float32Tensor {
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

const encode = (tensors: ReadonlyMap<string, Float32Tensor>, metadata: Record<string, string> | undefined): Uint8Array => {
  const header = safetensorsHeader([...tensors].map(([name, { shape }]) => ({ name, shape })), "F32", metadata)
  const dataBytes = [...tensors.values()].reduce((sum, { data }) => sum + data.byteLength, 0)
  const bytes = new Uint8Array(header.length + dataBytes)
  bytes.set(header)
  let position = header.length
  for (const { data } of tensors.values()) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position)
    position += data.byteLength
  }
  return bytes
}

export const writeSafetensors = (
  path: string,
  tensors: ReadonlyMap<string, Float32Tensor>,
  metadata?: Record<string, string>,
): Effect.Effect<void, ModelFileError> =>
  Effect.gen(function* () {
    for (const [name, { shape, data }] of tensors) {
      if (elementCount(shape) !== data.length) {
        return yield* Effect.fail(
          new ModelFileError({ source: path, detail: `tensor "${name}": shape [${shape.join(", ")}] needs ${elementCount(shape)} values, got ${data.length}` }),
        )
      }
    }
    yield* Effect.tryPromise({
      try: () => writeFileAtomic(path, encode(tensors, metadata)),
      catch: (cause) => new ModelFileError({ source: path, detail: asFileSystemError(cause)?.detail ?? `cannot write: ${String(cause)}` }),
    })
  })
