// Writes a random checkpoint in exact Hugging Face layout: config.json, model.safetensors and
// the tokenizer files beside the source config, so any peftlab spec can point at it.
//   npm run checkpoint -- --config ../shared/models/flan-t5-small/config.json --out /tmp/flan-t5-small-random --seed 1
// Deterministic by seed; the architecture comes from the config's model_type.
import { copyFileSync, existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { writeRandomCheckpoint } from "@peftlab/models"

const tokenizerFiles = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "generation_config.json",
  "spiece.model",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
]

const usage = "usage: make-checkpoint --config <config.json> --out <folder> [--seed <n>] [--tokenizer-from <folder>]"

const { values } = parseArgs({
  options: { config: { type: "string" }, out: { type: "string" }, seed: { type: "string", default: "1" }, "tokenizer-from": { type: "string" } },
})
const fail = (message: string): never => {
  console.error(`make-checkpoint: ${message}\n${usage}`)
  process.exit(2)
}
const configPath = values.config ?? fail("--config is required")
const out = values.out ?? fail("--out is required")
const seed = Number(values.seed)
if (!Number.isInteger(seed)) fail(`--seed: expected an integer, got ${values.seed}`)
if (!existsSync(configPath)) fail(`--config: no file at ${configPath}`)

let config: Record<string, unknown>
try {
  config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>
} catch (cause) {
  fail(`--config: ${configPath} is not valid JSON (${(cause as Error).message})`)
}
const parameters = await Effect.runPromise(
  writeRandomCheckpoint(out, config!, seed).pipe(Effect.catchTag("ModelFileError", (error) => Effect.sync(() => fail(`${error.source}: ${error.detail}`)))),
)
const from = values["tokenizer-from"] ?? dirname(configPath)
const copied = tokenizerFiles.filter((name) => existsSync(join(from, name)))
for (const name of copied) copyFileSync(join(from, name), join(out, name))
const count = [...parameters.values()].reduce((sum, t) => sum + t.data.length, 0)
console.log(`${out}: ${config!["model_type"]} with ${count.toLocaleString("en-US")} random parameters (seed ${seed}); copied ${copied.join(", ") || "no tokenizer files"}`)
