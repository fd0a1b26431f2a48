// Which files make a model folder: what peftlab's loaders read (packages/models: config.json
// and safetensors weights; packages/tokenizers: tokenizer.json and tokenizer_config.json), not
// the rest of a repo (READMEs, other frameworks' weights, ONNX exports).
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Option, Schema } from "effect"
import { exists } from "./cache-layout.ts"
import { HubError } from "./hub-error.ts"
import { repoPathProblem } from "./repo-id.ts"

export const configFile = "config.json"
export const weightsFile = "model.safetensors"
export const weightsIndexFile = "model.safetensors.index.json"

/** Fetched when the repo has them; a model may do without each. */
export const optionalModelFiles: ReadonlyArray<string> = ["generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

const WeightsIndex = Schema.Struct({ weight_map: Schema.Record(Schema.String, Schema.String) })

/** The shard files the sharded-weights index at `path` names, each once, in order of first use. */
export const shardsOf = async (path: string, source: string): Promise<ReadonlyArray<string>> => {
  const json = await readFile(path, "utf8").then(
    (text) => JSON.parse(text) as unknown,
    () => undefined,
  )
  const index = Schema.decodeUnknownOption(WeightsIndex)(json)
  const shards = Option.isSome(index) ? [...new Set(Object.values(index.value.weight_map))] : []
  const bad = shards.find((shard) => repoPathProblem(shard) !== undefined)
  if (shards.length === 0 || bad !== undefined) {
    throw new HubError({ source, detail: `${path}: expected {"weight_map": {tensor: shard file}} naming shards inside the repository${bad === undefined ? "" : `, got ${JSON.stringify(bad)}`}` })
  }
  return shards
}

/** config.json and the weights entry, given the repo's files: the single file, else the index of shards. */
export const coreModelFiles = (source: string, revision: string, files: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (!files.includes(configFile)) {
    throw new HubError({ source, detail: `has no ${configFile} at revision ${revision}, so it is not a transformers model; its files: ${files.join(", ")}` })
  }
  if (files.includes(weightsFile)) return [configFile, weightsFile]
  if (files.includes(weightsIndexFile)) return [configFile, weightsIndexFile]
  throw new HubError({
    source,
    detail: `has no safetensors weights (${weightsFile} or ${weightsIndexFile}) at revision ${revision}, and peftlab reads only those; its files: ${files.join(", ")}. Many repos have them on a pull-request branch from the hub's conversion bot: pass that as the revision (e.g. refs/pr/1)`,
  })
}

/** What the folder `dir` lacks of a model: config.json, the weights, the shards its index names. */
export const missingModelFiles = async (dir: string, source: string): Promise<ReadonlyArray<string>> => {
  const missing = (await exists(join(dir, configFile))) ? [] : [configFile]
  if (await exists(join(dir, weightsFile))) return missing
  if (!(await exists(join(dir, weightsIndexFile)))) return [...missing, weightsFile]
  const shards = await shardsOf(join(dir, weightsIndexFile), source)
  const present = await Promise.all(shards.map((shard) => exists(join(dir, shard))))
  return [...missing, ...shards.filter((_, i) => !present[i])]
}
