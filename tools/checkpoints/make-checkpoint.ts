// Writes a random checkpoint in exact Hugging Face layout: config.json, the weights (one
// model.safetensors, or shards and their index past --max-shard-size) in f32, bf16 or f16,
// and the tokenizer files beside the source config, so any peftlab spec can point at it.
//   npm run checkpoint -- --config ../shared/models/flan-t5-small/config.json --out /tmp/flan-t5-small-random --seed 1
//   npm run checkpoint -- --config llama-1b/config.json --out /tmp/llama-1b-random --dtype bf16 --max-shard-size 500MB
// Deterministic by seed; the architecture comes from the config's model_type. Tensors are
// drawn and written one at a time, so a model larger than memory can be written.
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { parseFileSize, writeRandomCheckpointFiles, type SafetensorsDtype } from "@peftlab/models"
import { copyTokenizerFiles } from "./tokenizer-files.ts"

const usage =
  "usage: make-checkpoint --config <config.json> --out <folder> [--seed <n>] [--dtype f32|bf16|f16] [--max-shard-size <size, e.g. 5GB, 500MB, 2GiB>] [--tokenizer-from <folder>]"

const dtypeFlags: Record<string, SafetensorsDtype> = { f32: "F32", bf16: "BF16", f16: "F16" }

const { values } = parseArgs({
  options: {
    config: { type: "string" },
    out: { type: "string" },
    seed: { type: "string", default: "1" },
    dtype: { type: "string", default: "f32" },
    "max-shard-size": { type: "string" },
    "tokenizer-from": { type: "string" },
  },
})
const fail = (message: string): never => {
  console.error(`make-checkpoint: ${message}\n${usage}`)
  process.exit(2)
}
const configPath = values.config ?? fail("--config is required")
const out = values.out ?? fail("--out is required")
const seed = Number(values.seed)
if (!Number.isInteger(seed)) fail(`--seed: expected an integer, got ${values.seed}`)
const dtype = dtypeFlags[values.dtype.toLowerCase()] ?? fail(`--dtype: expected f32, bf16 or f16, got ${values.dtype}`)
const shardFlag = values["max-shard-size"]
const maxShardBytes =
  shardFlag === undefined
    ? undefined
    : (parseFileSize(shardFlag) ?? fail(`--max-shard-size: expected a positive size such as 5GB, 500MB, 2GiB or a byte count, got ${shardFlag}`))
if (!existsSync(configPath)) fail(`--config: no file at ${configPath}`)

let config: Record<string, unknown>
try {
  config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>
} catch (cause) {
  fail(`--config: ${configPath} is not valid JSON (${(cause as Error).message})`)
}
const written = await Effect.runPromise(
  writeRandomCheckpointFiles(out, config!, seed, { dtype, ...(maxShardBytes === undefined ? {} : { maxShardBytes }) }).pipe(
    Effect.catchTag("ModelFileError", (error) => Effect.sync(() => fail(`${error.source}: ${error.detail}`))),
  ),
)
const from = values["tokenizer-from"] ?? dirname(configPath)
const copied = copyTokenizerFiles(from, out)
for (const file of written.files) console.log(`wrote ${file}`)
for (const name of copied) console.log(`copied ${join(out, name)}`)
console.log(
  `${out}: ${config!["model_type"]} with ${written.parameters.toLocaleString("en-US")} random ${values.dtype.toLowerCase()} parameters (seed ${seed}); copied ${copied.join(", ") || "no tokenizer files"}`,
)
