// A model folder's weights as the Hugging Face hub ships them: one model.safetensors, or shards
// listed by model.safetensors.index.json (its weight_map names each tensor's file), as every
// model above a few GB comes. Tensors are found by name and read one at a time, whatever file
// holds them; a pickle-only folder (pytorch_model.bin) is refused by name.
import { existsSync, readdirSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { basename, join } from "node:path"
import { Effect, Result, Schema, type Scope } from "effect"
import { ModelFileError } from "../model-file-error.ts"
import { decodeOrDescribe } from "@peftlab/core"
import { openSafetensors, type SafetensorsFile, type SafetensorsTensor, type StoredTensor } from "./file.ts"
import type { TensorEntry } from "./header.ts"

export const singleWeightsFile = "model.safetensors"
export const weightsIndexFile = "model.safetensors.index.json"

export interface Checkpoint {
  /** The file errors about the checkpoint as a whole name: model.safetensors or the index. */
  readonly source: string
  /** Every tensor, by name, with the file that holds it. */
  readonly entries: ReadonlyMap<string, TensorEntry & { readonly file: string }>
  /** A tensor's values as float32, read from its file. */
  readonly read: (name: string) => Effect.Effect<SafetensorsTensor, ModelFileError>
  /** A tensor's stored bytes, undecoded, from its file. */
  readonly readStored: (name: string) => Effect.Effect<StoredTensor, ModelFileError>
}

const IndexSchema = Schema.Struct({
  metadata: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  weight_map: Schema.Record(Schema.String, Schema.String),
})

/** What the folder holds instead of safetensors weights, for the error that says so. */
const noWeights = (dir: string): ModelFileError => {
  const pickles = existsSync(dir) ? readdirSync(dir).filter((file) => /^pytorch_model.*\.bin$|\.(pt|pth|ckpt)$/.test(file)) : []
  const detail =
    pickles.length > 0
      ? `has ${pickles.join(", ")} (PyTorch pickle) but no ${singleWeightsFile} or ${weightsIndexFile}: peftlab reads only safetensors weights and never opens a pickle (loading one runs its code); ` +
        `convert them with transformers (model.save_pretrained(folder, safe_serialization=True))`
      : `no ${singleWeightsFile} or ${weightsIndexFile} (safetensors weights, in one file or sharded)`
  return new ModelFileError({ source: dir, detail })
}

/** The shard files of an index, in weight_map order, each named once. */
const readIndex = (indexPath: string): Effect.Effect<{ readonly weightMap: ReadonlyMap<string, string>; readonly shards: ReadonlyArray<string> }, ModelFileError> =>
  Effect.gen(function* () {
    const fail = (detail: string) => Effect.fail(new ModelFileError({ source: indexPath, detail }))
    const text = yield* Effect.tryPromise({
      try: () => readFile(indexPath, "utf8"),
      catch: (cause) => new ModelFileError({ source: indexPath, detail: `cannot read: ${String(cause)}` }),
    })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (cause) {
      return yield* fail(`not valid JSON: ${(cause as Error).message}`)
    }
    const decoded = decodeOrDescribe(IndexSchema, json)
    if (Result.isFailure(decoded)) return yield* fail(decoded.failure)
    const weightMap = new Map(Object.entries(decoded.success.weight_map))
    if (weightMap.size === 0) return yield* fail(`field "weight_map": no tensors`)
    for (const [name, file] of weightMap) {
      if (basename(file) !== file || file === "." || file === "..") return yield* fail(`field "weight_map.${name}": expected a file name in the model folder, got "${file}"`)
    }
    return { weightMap, shards: [...new Set(weightMap.values())] }
  })

/** The weight files of a model folder, index first when sharded (what a fingerprint hashes). */
export const checkpointWeightFiles = (dir: string): Effect.Effect<ReadonlyArray<string>, ModelFileError> =>
  Effect.gen(function* () {
    if (existsSync(join(dir, singleWeightsFile))) return [join(dir, singleWeightsFile)]
    const indexPath = join(dir, weightsIndexFile)
    if (!existsSync(indexPath)) return yield* Effect.fail(noWeights(dir))
    const { shards } = yield* readIndex(indexPath)
    return [indexPath, ...shards.map((file) => join(dir, file))]
  })

/** Opens the folder's weights; every file stays open until the scope closes. */
export const openCheckpoint = (dir: string): Effect.Effect<Checkpoint, ModelFileError, Scope.Scope> =>
  Effect.gen(function* () {
    const single = join(dir, singleWeightsFile)
    if (existsSync(single)) {
      const file = yield* openSafetensors(single)
      const entries = new Map([...file.entries].map(([name, entry]) => [name, { ...entry, file: single }]))
      return { source: single, entries, read: file.read, readStored: file.readStored }
    }
    const indexPath = join(dir, weightsIndexFile)
    if (!existsSync(indexPath)) return yield* Effect.fail(noWeights(dir))
    const { weightMap, shards } = yield* readIndex(indexPath)
    const files = new Map<string, SafetensorsFile>()
    for (const shard of shards) {
      const path = join(dir, shard)
      if (!existsSync(path)) return yield* Effect.fail(new ModelFileError({ source: indexPath, detail: `names shard "${shard}", which is not in ${dir}` }))
      files.set(shard, yield* openSafetensors(path))
    }
    const entries = new Map<string, TensorEntry & { readonly file: string }>()
    for (const [name, shard] of weightMap) {
      const entry = files.get(shard)!.entries.get(name)
      if (entry === undefined) return yield* Effect.fail(new ModelFileError({ source: indexPath, detail: `says tensor "${name}" is in ${shard}, but that file has no such tensor` }))
      entries.set(name, { ...entry, file: join(dir, shard) })
    }
    const fileOf = (name: string): Effect.Effect<SafetensorsFile, ModelFileError> => {
      const shard = weightMap.get(name)
      return shard === undefined ? Effect.fail(new ModelFileError({ source: indexPath, detail: `no tensor "${name}"` })) : Effect.succeed(files.get(shard)!)
    }
    const read = (name: string) => Effect.flatMap(fileOf(name), (file) => file.read(name))
    const readStored = (name: string) => Effect.flatMap(fileOf(name), (file) => file.readStored(name))
    return { source: indexPath, entries, read, readStored }
  })
