// Writes a checkpoint's weights as the hub ships them: one model.safetensors, or, past a size
// limit, shards model-00001-of-0000N.safetensors with model.safetensors.index.json. The split
// is huggingface_hub's split_state_dict_into_shards_factory (what transformers' save_pretrained
// calls): tensors in order; a shard closes when the next tensor would take it past the limit;
// a tensor larger than the limit gets a shard of its own. The index is written as
// save_pretrained writes it: json.dumps(index, indent=2, sort_keys=True) + "\n".
import { readdir, unlink } from "node:fs/promises"
import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import type { Effect } from "effect"
import { ModelFileError } from "../model-file-error.ts"
import type { SafetensorsDtype } from "./dtype.ts"
import { elementCount } from "./header.ts"
import { io, openStreamingFile, tensorBytes, writing, type FillTensor, type StreamingFile, type TensorShape } from "./write-streaming.ts"
import { singleWeightsFile, weightsIndexFile } from "./checkpoint.ts"

const shardFilePattern = /^model-\d{5}-of-\d{5}\.safetensors$/

export interface Shard {
  readonly file: string
  readonly tensors: ReadonlyArray<TensorShape>
}

/** The files `tensors` go to, in huggingface_hub's order (a lone oversized tensor's shard comes before the shard it interrupts). */
export const planShards = (tensors: ReadonlyArray<TensorShape>, dtype: SafetensorsDtype, maxShardBytes = Infinity): ReadonlyArray<Shard> => {
  const shards: Array<Array<TensorShape>> = []
  let current: Array<TensorShape> = []
  let currentBytes = 0
  for (const tensor of tensors) {
    const bytes = tensorBytes(tensor.shape, dtype)
    if (bytes > maxShardBytes) {
      shards.push([tensor])
      continue
    }
    if (currentBytes + bytes > maxShardBytes) {
      shards.push(current)
      current = []
      currentBytes = 0
    }
    current.push(tensor)
    currentBytes += bytes
  }
  if (current.length > 0 || shards.length === 0) shards.push(current)
  if (shards.length === 1) return [{ file: singleWeightsFile, tensors: shards[0] as Array<TensorShape> }]
  const count = String(shards.length).padStart(5, "0")
  return shards.map((tensors, i) => ({ file: `model-${String(i + 1).padStart(5, "0")}-of-${count}.safetensors`, tensors }))
}

/** The index JSON of a sharded checkpoint, byte for byte as save_pretrained writes it (keys sorted). */
export const shardIndexJson = (shards: ReadonlyArray<Shard>, dtype: SafetensorsDtype): string => {
  const entries = shards.flatMap(({ file, tensors }) => tensors.map((t) => ({ ...t, file })))
  const weightMap = Object.fromEntries(entries.map(({ name, file }) => [name, file]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)))
  const metadata = {
    total_parameters: entries.reduce((n, { shape }) => n + elementCount(shape), 0),
    total_size: entries.reduce((n, { shape }) => n + tensorBytes(shape, dtype), 0),
  }
  return `${JSON.stringify({ metadata, weight_map: weightMap }, null, 2)}\n`
}

/**
 * The metadata save_pretrained gives every weights file, a single model.safetensors or a shard
 * (transformers 4.4x refuses to load a file without it).
 */
export const checkpointMetadata: Readonly<Record<string, string>> = { format: "pt" }

export interface ShardingOptions {
  /** The largest shard in bytes of tensor data (header excluded, as in huggingface_hub); no limit by default. */
  readonly maxShardBytes?: number
}

/**
 * Writes `tensors` as `dtype` into `dir` (model.safetensors, or shards and their index),
 * calling `fill` once per tensor in order and holding one tensor at a time. The new files
 * replace any of an earlier layout (stale shards, index or single file are removed), so the
 * folder never holds two. Returns the paths written.
 */
export const writeCheckpointWeights = (
  dir: string,
  tensors: ReadonlyArray<TensorShape>,
  dtype: SafetensorsDtype,
  fill: FillTensor,
  options: ShardingOptions = {},
): Effect.Effect<{ readonly files: ReadonlyArray<string> }, ModelFileError> =>
  writing(async () => {
    const { maxShardBytes } = options
    if (maxShardBytes !== undefined && !(maxShardBytes > 0)) {
      throw new ModelFileError({ source: dir, detail: `maxShardBytes: expected a positive number of bytes, got ${maxShardBytes}` })
    }
    const names = new Set<string>()
    const repeated = tensors.find(({ name }) => names.size === names.add(name).size)
    if (repeated) throw new ModelFileError({ source: dir, detail: `tensor "${repeated.name}" is named twice` })
    const shards = planShards(tensors, dtype, maxShardBytes)
    const sharded = shards.length > 1
    const shardOf = new Map(shards.flatMap(({ tensors }, i) => tensors.map(({ name }) => [name, i] as const)))
    const left = shards.map(({ tensors }) => tensors.length)
    const open: Array<StreamingFile | undefined> = []
    // Fill in tensor order (a random checkpoint draws them in that order); at most two shards
    // are open at a time: the current one and an oversized tensor's own.
    try {
      for (const { name, shape } of tensors) {
        const i = shardOf.get(name) as number
        const shard = shards[i] as Shard
        const file = (open[i] ??= await openStreamingFile(join(dir, shard.file), shard.tensors, dtype, checkpointMetadata))
        await file.append(fill(name, shape))
        left[i] = (left[i] as number) - 1
        if (left[i] === 0) await file.close()
      }
      if (tensors.length === 0) {
        const file = (open[0] = await openStreamingFile(join(dir, singleWeightsFile), [], dtype, checkpointMetadata))
        await file.close()
      }
    } catch (error) {
      await Promise.all(open.map((file) => file?.discard()))
      throw error
    }
    try {
      for (const file of open) await file?.commit()
    } catch (error) {
      await Promise.all(open.map((file) => file?.discard()))
      throw error
    }
    const written = shards.map(({ file }) => file)
    if (sharded) {
      const indexPath = join(dir, weightsIndexFile)
      await io(indexPath, "write", () => writeFileAtomic(indexPath, shardIndexJson(shards, dtype)))
      written.push(weightsIndexFile)
    }
    await removeStale(dir, new Set(written))
    return { files: written.map((file) => join(dir, file)) }
  })

/** Removes the weight files of an earlier layout that this write did not replace. */
const removeStale = async (dir: string, keep: ReadonlySet<string>): Promise<void> => {
  const names = await io(dir, "list", () => readdir(dir))
  const stale = names.filter((name) => !keep.has(name) && (name === singleWeightsFile || name === weightsIndexFile || shardFilePattern.test(name)))
  for (const name of stale) await io(join(dir, name), "remove a stale weight file", () => unlink(join(dir, name)))
}
