// Writes float32 tensors as .safetensors. The header is padded with spaces to a multiple of
// 8 bytes (as the reference implementation does) so the data section stays aligned; the file
// is written atomically, so it appears only once complete.
import { Effect } from "effect"
import { writeFileAtomic } from "@peftlab/core"
import { ModelFileError } from "../model-file-error.ts"
import { elementCount, metadataKey } from "./header.ts"

export interface Float32Tensor {
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

const encode = (tensors: ReadonlyMap<string, Float32Tensor>, metadata: Record<string, string> | undefined): Uint8Array => {
  const header: Record<string, unknown> = metadata ? { [metadataKey]: metadata } : {}
  let offset = 0
  for (const [name, { shape, data }] of tensors) {
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.byteLength] }
    offset += data.byteLength
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerLength = Math.ceil(json.length / 8) * 8
  const bytes = new Uint8Array(8 + headerLength + offset)
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength), true)
  bytes.set(json, 8)
  bytes.fill(0x20, 8 + json.length, 8 + headerLength)
  let position = 8 + headerLength
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
      catch: (cause) => new ModelFileError({ source: path, detail: `cannot write: ${String(cause)}` }),
    })
  })
