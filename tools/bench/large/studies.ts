// The study specs under specs/, run end to end through the real CLI on random checkpoints of the
// shapes the studies name (FLAN-T5-XL, TinyLlama-1.1B, Mistral-7B, GatorTron-base: bf16, sharded
// as the hub ships them, a real tokenizer copied beside each) with a few examples each: exit code,
// wall time and the peak RSS of the whole run, to results/studies.{json,md}.
//   npm run bench:studies [-- --only pubmedqa-prompt-prefix,medquad-lora-qa]
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { writeFileAtomic } from "@peftlab/core"
import { copyTokenizerFiles } from "../../checkpoints/tokenizer-files.ts"
import { writeClinicalNotes } from "../../data/clinical-notes.ts"
import { writeConceptSpans } from "../../data/concept-spans.ts"
import { allMiniLmL6V2 } from "@peftlab/testkit/pretrained"
import { benchCheckpoint } from "./run.ts"

const root = join(import.meta.dirname, "..", "..", "..")
const data = process.env.PEFTLAB_DATA ?? join(root, "..", "shared", "data")
const models = process.env.PEFTLAB_MODELS ?? join(root, "..", "shared", "models")
const pubmedqa = join(data, "pubmedqa", "ori_pqal.json")
const GB = 1e9

interface Study {
  readonly spec: string
  /** The stand-in's config under configs/, and the real model folder whose tokenizer it borrows. */
  readonly model: string
  readonly tokenizer: string
  readonly maxShardBytes: number
  /** --set values beyond the shared few-example ones; `dir` is a scratch folder for data. */
  readonly overrides: (dir: string) => ReadonlyArray<string>
}

// Two examples per split and one epoch: every arm trains, is selected on validation and tested.
const few = ["data.limit.train=2", "data.limit.val=2", "data.limit.test=2", "training.epochs=1", "training.batch_size=2", "stats.bootstrap.B=100"]

const studies: ReadonlyArray<Study> = [
  // FLAN-T5-XL trains in the 4 GB wasm heap with its blocks recomputed in the backward pass.
  { spec: "pubmedqa-prompt-prefix", model: "flan-t5-xl", tokenizer: "flan-t5-small", maxShardBytes: 5 * GB, overrides: () => ["training.max_length=256", "training.gradient_checkpointing=true"] },
  {
    spec: "medquad-lora-qa",
    model: "tinyllama-1.1b",
    tokenizer: "stories260k",
    maxShardBytes: 10 * GB,
    // BERTScore's encoder, named by Hugging Face id in the spec: an installed all-MiniLM-L6-v2 where there is one (these machines are offline).
    overrides: () => {
      const encoder = allMiniLmL6V2().dir
      return ["training.gradient_accumulation=1", "training.max_length=128", "task.max_answer_tokens=64", "evaluation.max_new_tokens=8", ...(encoder ? [`evaluation.bertscore.model=${encoder}`] : [])]
    },
  },
  { spec: "clinical-text-lora-rank-sweep", model: "mistral-7b", tokenizer: "stories260k", maxShardBytes: 5 * GB, overrides: (dir) => ["training.max_length=128", `data.path=${writeClinicalNotes(pubmedqa, dir, 40)}`] },
  {
    spec: "clinical-extraction-soft-prompts",
    model: "gatortron-base",
    tokenizer: "bert-tiny",
    maxShardBytes: 10 * GB,
    overrides: (dir) => {
      const spans = join(dir, "concepts.jsonl")
      writeConceptSpans(pubmedqa, spans, 300)
      return ["data.kind=jsonl-spans", `data.path=${spans}`, "data.limit.train=4", "training.max_length=96", "arms.4.training.train_examples=2", "arms.5.training.train_examples=2"]
    },
  },
]

export interface StudyRow {
  readonly spec: string
  readonly model: string
  readonly code: number
  readonly seconds: number
  readonly maxRssBytes: number
  readonly date: string
  /** The run's last lines of stderr when it failed, stack frames left out. */
  readonly error?: string
}

const runStudy = async (study: Study): Promise<StudyRow> => {
  const checkpoint = await benchCheckpoint(study.model, join(import.meta.dirname, "..", "configs", `${study.model}.json`), study.maxShardBytes)
  copyTokenizerFiles(join(models, study.tokenizer), checkpoint)
  const dir = mkdtempSync(join(tmpdir(), `peftlab-study-${study.spec}-`))
  const sets = [...few, ...study.overrides(dir), `model.path=${checkpoint}`].flatMap((value) => ["--set", value])
  const args = [join(root, "packages", "cli", "bin", "peftlab.js"), "run", join(root, "specs", `${study.spec}.yaml`), "--out", join(dir, "results"), "--no-tui", ...sets]
  console.log(`studies: ${study.spec} on a random ${study.model}`)
  const started = performance.now()
  // GNU time's maximum resident set size covers the CLI and its worker threads.
  const run = spawnSync("/usr/bin/time", ["-f", "maxrss-kb %M", process.execPath, ...args], { encoding: "utf8", env: process.env, stdio: ["ignore", "inherit", "pipe"] })
  const seconds = (performance.now() - started) / 1000
  const rss = Number(/maxrss-kb (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN) * 1024
  const row = { spec: study.spec, model: study.model, code: run.status ?? -1, seconds, maxRssBytes: rss, date: new Date().toISOString().slice(0, 10) }
  console.log(`studies: ${study.spec}: exit ${row.code} in ${seconds.toFixed(0)} s, peak RSS ${(rss / GB).toFixed(2)} GB`)
  return row.code === 0 ? row : { ...row, error: run.stderr.trim().split("\n").filter((line) => !/^\s+at /.test(line)).slice(-8).join("\n") }
}

const markdown = (rows: ReadonlyArray<StudyRow>) =>
  [
    "| study spec | stand-in (random, bf16, real shape) | exit | wall time | peak RSS GB | measured |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...rows.map((r) => `| ${r.spec} | ${r.model} | ${r.code} | ${(r.seconds / 60).toFixed(1)} min | ${(r.maxRssBytes / GB).toFixed(2)} | ${r.date} |`),
  ].join("\n")

const { values } = parseArgs({ options: { only: { type: "string" } } })
const chosen = studies.filter((s) => values.only === undefined || values.only.split(",").includes(s.spec))
const resultsFile = join(import.meta.dirname, "..", "results", "studies.json")
const earlier = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, "utf8")) as { rows: Array<StudyRow> }).rows : []
const measured: Array<StudyRow> = []
for (const study of chosen) measured.push(await runStudy(study))
const rows = studies.flatMap((s) => [...measured, ...earlier].find((r) => r.spec === s.spec) ?? [])
await writeFileAtomic(resultsFile, JSON.stringify({ rows }, null, 2) + "\n")
await writeFileAtomic(join(import.meta.dirname, "..", "results", "studies.md"), markdown(rows) + "\n")
console.log(`\n${markdown(rows)}`)
process.exit(measured.every((r) => r.code === 0) ? 0 : 1)
