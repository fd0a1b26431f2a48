// The live adapter round trip of .ci/run, both ways, on a finished classification run (the
// quickstart's), against the pinned reference stack in .venv-goldens:
//   1. every adapter the run wrote (adapters/<arm>/) loads in PEFT (through bitsandbytes' NF4 for
//      a QLoRA arm) and gives peftlab's per-example scores (the predicted label's probability,
//      preds_<arm>_test.csv's score) within 1e-4, the same predictions, and each label's
//      log-probability within 5e-4; peftlab's side is `peftlab predict --ids`, which must itself give the
//      run's own predictions and scores (preds_<arm>_test.csv);
//   2. adapters made by PEFT itself (LoRA, prompt tuning, prefix tuning) give PEFT's scores in
//      peftlab, both through `peftlab predict` and through a run with `kind: adapter` arms.
// Only the run's test examples are scored. Exit 0 when every check holds, 1 when one does not,
// 2 when the inputs are missing.
//   node tools/ci/adapter-round-trip.ts results/quickstart
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { goldensPython } from "@peftlab/references"

/** On scores: the predicted label's probability among the labels. */
const tolerance = 1e-4
/**
 * On label log-probabilities: sums over the label's tokens after a float32 forward pass of up to
 * 190 tokens, where PEFT's own float32 result differs from its float64 one by up to 1.1e-4 on the
 * quickstart's LoRA (measured), so 1e-4 would test the summation order, not the adapter.
 */
const logProbTolerance = 5e-4
const root = resolve(import.meta.dirname, "..", "..")
const cli = join(root, "packages", "cli", "bin", "peftlab.js")

const fail = (message: string, code = 2): never => {
  console.error(`adapter-round-trip: ${message}`)
  process.exit(code)
}

const runDir = resolve(process.argv[2] ?? fail("give the results folder of a finished classification run"))
const python = goldensPython() ?? fail("no .venv-goldens (.ci/run makes it from packages/references/python/requirements.txt)")
const manifestPath = join(runDir, "manifest.json")
if (!existsSync(manifestPath)) fail(`no manifest.json in ${runDir}`)

interface Manifest {
  readonly spec_file: string
  readonly model: { readonly path: string }
  readonly spec: {
    readonly data: { readonly path: string }
    readonly arms: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly quantize?: string }>
  }
}
interface PredictLine {
  readonly id: string
  readonly prediction: string
  readonly probability: number
  readonly log_probs: Readonly<Record<string, number>>
  readonly prompt_ids: ReadonlyArray<number>
  readonly label_ids: Readonly<Record<string, ReadonlyArray<number>>>
}
interface CsvRow {
  readonly id: string
  readonly pred: string
  readonly score: number
}

const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest
const work = mkdtempSync(join(tmpdir(), "peftlab-round-trip-"))
const modelDir = manifest.model.path
const specFile = resolve(manifest.spec_file)

/** preds_<arm>_test.csv: id, gold, pred, score (ids and labels hold no commas). */
const csvRows = (dir: string, arm: string): Array<CsvRow> =>
  readFileSync(join(dir, `preds_${arm}_test.csv`), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .map(([id, , pred, score]) => ({ id: id!, pred: pred!, score: Number(score) }))

// The test examples alone, as a data file of the same kind (PubMedQA's: an object keyed by id).
const testIds = new Set(csvRows(runDir, "base").map((row) => row.id))
const fullData = JSON.parse(readFileSync(resolve(manifest.spec.data.path), "utf8")) as Record<string, unknown>
const testData = join(work, "test.json")
writeFileSync(testData, JSON.stringify(Object.fromEntries(Object.entries(fullData).filter(([id]) => testIds.has(id)))))

const peftlab = (args: ReadonlyArray<string>): string => execFileSync(process.execPath, [cli, ...args], { cwd: process.cwd(), encoding: "utf8", maxBuffer: 1 << 28 })

const predict = (adapter: string, extra: ReadonlyArray<string> = []): Array<PredictLine> => {
  const out = join(work, `predict-${Math.random().toString(36).slice(2)}.jsonl`)
  peftlab(["predict", "--model", modelDir, "--adapter", adapter, "--data", testData, "--ids", "--out", out, ...extra])
  return readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as PredictLine)
}

interface PeftAnswer {
  readonly peft: string
  readonly transformers: string
  readonly torch: string
  readonly bitsandbytes: string | null
  readonly scores?: ReadonlyArray<ReadonlyArray<number>>
}
const peftScores = (request: object): PeftAnswer =>
  JSON.parse(
    execFileSync(python, [join(root, "packages", "references", "python", "adapter_scores.py")], {
      input: JSON.stringify(request),
      encoding: "utf8",
      maxBuffer: 1 << 28,
      stdio: ["pipe", "pipe", "ignore"],
    }),
  ) as PeftAnswer

const labelsOf = (line: PredictLine) => Object.keys(line.log_probs)
const argmax = (values: ReadonlyArray<number>) => values.indexOf(Math.max(...values))
const softmaxAt = (values: ReadonlyArray<number>, i: number) => 1 / values.reduce((sum, v) => sum + Math.exp(v - values[i]!), 0)

const failures: Array<string> = []
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what)
}

/** PEFT's scores for every line, compared with peftlab's; returns them keyed by id. */
const againstPeft = (name: string, adapter: string, quantize: string | undefined, lines: ReadonlyArray<PredictLine>): Map<string, ReadonlyArray<number>> => {
  const answer = peftScores({
    model: modelDir,
    adapter,
    quantize: quantize === "nf4" ? "nf4" : null,
    examples: lines.map((line) => ({ prompt: line.prompt_ids, labels: labelsOf(line).map((label) => line.label_ids[label]) })),
  })
  let worstLogProb = 0
  let worstScore = 0
  let agree = 0
  lines.forEach((line, i) => {
    const theirs = answer.scores![i]!
    const ours = labelsOf(line).map((label) => line.log_probs[label]!)
    worstLogProb = Math.max(worstLogProb, ...ours.map((v, j) => Math.abs(v - theirs[j]!)))
    worstScore = Math.max(worstScore, Math.abs(line.probability - softmaxAt(theirs, labelsOf(line).indexOf(line.prediction))))
    if (labelsOf(line)[argmax(theirs)] === line.prediction) agree++
  })
  check(worstScore < tolerance, `${name}: peftlab's scores differ from PEFT's by ${worstScore.toExponential(2)} (tolerance ${tolerance})`)
  check(worstLogProb < logProbTolerance, `${name}: peftlab's label log-probabilities differ from PEFT's by ${worstLogProb.toExponential(2)} (tolerance ${logProbTolerance})`)
  check(agree === lines.length, `${name}: ${lines.length - agree} of ${lines.length} predictions differ from PEFT's`)
  console.log(
    `${name}: ${lines.length} examples, max |score - PEFT's| ${worstScore.toExponential(2)}, max |log-prob - PEFT's| ${worstLogProb.toExponential(2)}, predictions equal ${agree}/${lines.length}`,
  )
  return new Map(lines.map((line, i) => [line.id, answer.scores![i]!]))
}

// 1. The run's own adapters, in PEFT.
const versions = peftScores({ model: modelDir })
console.log(`reference stack: peft ${versions.peft}, transformers ${versions.transformers}, torch ${versions.torch}, bitsandbytes ${versions.bitsandbytes}`)
const trained = manifest.spec.arms.filter((arm) => existsSync(join(runDir, "adapters", arm.name, "adapter_config.json")))
if (trained.length === 0) fail(`no adapters/<arm>/adapter_config.json in ${runDir}`)
for (const arm of trained) {
  const lines = predict(join(runDir, "adapters", arm.name))
  const rows = new Map(csvRows(runDir, arm.name).map((row) => [row.id, row]))
  const sameAsRun = lines.filter((line) => rows.get(line.id)?.pred === line.prediction && Math.abs(rows.get(line.id)!.score - line.probability) < 1e-6).length
  check(sameAsRun === rows.size && lines.length === rows.size, `${arm.name}: predict gives the run's prediction and score for ${sameAsRun} of ${rows.size} test examples`)
  againstPeft(`${arm.name} (peftlab-made${arm.quantize === "nf4" ? ", NF4 base through bitsandbytes" : ""})`, join(runDir, "adapters", arm.name), arm.quantize, lines)
}

// 2. Adapters made by PEFT, in peftlab: through predict, and as `kind: adapter` arms of a run.
const made = ["lora", "prompt", "prefix"].map((kind, i) => ({ kind, dir: join(work, `peft-${kind}`), seed: 100 + i }))
peftScores({ model: modelDir, make: made })
const specText = readFileSync(specFile, "utf8")
const armsBlock = /^arms:\n(?:(?:[ #].*)?\n)*/m
if (!armsBlock.test(specText)) fail(`${specFile}: no top-level arms: block to replace`)
const reuseSpec = join(work, "reuse.yaml")
writeFileSync(
  reuseSpec,
  specText.replace(
    armsBlock,
    ["arms:", "  - { name: base, kind: base }", ...made.map((m) => `  - { name: peft-${m.kind}, kind: adapter, path: ${JSON.stringify(m.dir)} }`), ""].join("\n"),
  ),
)
const reuseDir = join(work, "reuse")
peftlab(["run", reuseSpec, "--out", reuseDir, "--no-tui"])
for (const m of made) {
  const peftById = againstPeft(`peft-${m.kind} (PEFT-made, peftlab predict)`, m.dir, undefined, predict(m.dir, ["--spec", specFile]))
  const rows = csvRows(reuseDir, `peft-${m.kind}`)
  const labels = Object.keys(JSON.parse(readFileSync(join(reuseDir, "manifest.json"), "utf8")).spec.task.labels as object)
  const worst = Math.max(...rows.map((row) => Math.abs(row.score - softmaxAt(peftById.get(row.id)!, labels.indexOf(row.pred)))))
  const agree = rows.filter((row) => labels[argmax(peftById.get(row.id)!)] === row.pred).length
  check(worst < tolerance && agree === rows.length, `peft-${m.kind} (adapter arm): ${agree}/${rows.length} predictions as PEFT's, scores off by ${worst.toExponential(2)}`)
  console.log(`peft-${m.kind} (PEFT-made, adapter arm): ${rows.length} examples, max |score - PEFT's| ${worst.toExponential(2)}, predictions equal ${agree}/${rows.length}`)
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`adapter-round-trip: FAILED ${failure}`)
  process.exit(1)
}
console.log(`adapter-round-trip: ok (${trained.length} peftlab-made and ${made.length} PEFT-made adapters, tolerance ${tolerance})`)
