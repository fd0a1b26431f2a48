// The repository's quickstart spec (its model and data embedded in the repository) and small specs, for runner tests.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import { expect } from "vitest"
import { fromCsv } from "@peftlab/reporters"
import { decodeSpecText, type ExperimentSpec, type LoadedSpec } from "@peftlab/spec"

export const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
if (!shared) console.warn("skipping runner tests on shared data: PEFTLAB_DATA or PEFTLAB_MODELS unset")

const repoRoot = join(import.meta.dirname, "..", "..", "..")
const quickstart = join(repoRoot, "specs", "quickstart.yaml")

/** The quickstart spec, its model and data (embedded, relative to the repository root) made absolute. */
export const quickstartSpec = (change: (spec: ExperimentSpec) => ExperimentSpec = (s) => s): Promise<ExperimentSpec> =>
  Effect.runPromise(decodeSpecText(readFileSync(quickstart, "utf8"), quickstart, process.env)).then(({ spec }) =>
    change({ ...spec, data: { ...spec.data, path: resolve(repoRoot, spec.data.path) }, model: { ...spec.model, path: resolve(repoRoot, spec.model.path) } }),
  )

/** A small spec with every required field, for checks that need no shared files; `file` names it in errors. */
export const smallSpec = `name: small
seed: 3
data:
  kind: pubmedqa
  path: data.json
  split: { train: 0.6, val: 0.2, test: 0.2, stratify: true }
model:
  path: model
task:
  template: "Q: {question} C: {context}"
  labels:
    "yes": " yes"
    "no": " no"
arms:
  - name: base
    kind: base
training:
  epochs: 1
  lr: 0.1
  batch_size: 2
  max_length: 64
evaluation:
  mode: label-score
  metrics: [accuracy, macro_f1]
stats:
  baseline: base
  mcnemar: false
  bootstrap: { B: 10, seed: 3 }
output:
  dir: out
`

/** `text` with its one occurrence of `from` replaced. */
export const edit = (text: string, from: string, to: string): string => {
  expect(text.split(from), `the text should hold ${JSON.stringify(from)} once`).toHaveLength(2)
  return text.replace(from, to)
}

/** 1-based line and column where `needle`, which must occur exactly once, starts in `text`. */
export const positionOf = (text: string, needle: string): { line: number; column: number } => {
  expect(text.split(needle), `the text should hold ${JSON.stringify(needle)} once`).toHaveLength(2)
  const before = text.slice(0, text.indexOf(needle)).split("\n")
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}

export const decodeSmall = (text: string, file = "spec.yaml"): Promise<LoadedSpec> => Effect.runPromise(decodeSpecText(text, file, {}))

/** smallSpec as generative QA: MedQuAD data, "Answer: {question}", generated answers scored by ROUGE-L and BLEU, validated by loss. */
export const qaSpecText = edit(
  edit(edit(edit(smallSpec, "kind: pubmedqa", "kind: medquad"), 'template: "Q: {question} C: {context}"\n  labels:\n    "yes": " yes"\n    "no": " no"', 'kind: generative-qa\n  template: "Answer: {question}"'), "mode: label-score", "mode: generate\n  max_new_tokens: 4"),
  "metrics: [accuracy, macro_f1]",
  "metrics: [rougeL, bleu]",
).replace("max_length: 64", "max_length: 64\n  select_by: loss")

/** A span-extraction variant of the small spec: jsonl-spans data, extract mode, micro-F1 selection. */
export const spanSpec = (dataPath = "data.jsonl", modelPath = "model"): string => {
  let text = edit(smallSpec, "kind: pubmedqa\n  path: data.json", `kind: jsonl-spans\n  path: ${dataPath}`)
  text = edit(text, "path: model", `path: ${modelPath}`)
  text = edit(
    text,
    'template: "Q: {question} C: {context}"\n  labels:\n    "yes": " yes"\n    "no": " no"',
    'kind: span-extraction\n  questions:\n    drug: "Which drugs are given?"\n  question_template: "Which {type} is mentioned?"',
  )
  text = edit(text, "mode: label-score", "mode: extract")
  text = edit(text, "[accuracy, macro_f1]", "[precision, recall, micro_f1, per_type_f1]")
  return edit(text, "max_length: 64", "max_length: 64\n  select_by: micro_f1")
}

/** `rows` as a JSONL file `name` in a fresh temporary folder. */
export const writeJsonl = (rows: ReadonlyArray<unknown>, name = "data.jsonl"): string => {
  const file = join(mkdtempSync(join(tmpdir(), "peftlab-jsonl-")), name)
  writeFileSync(file, rows.map((row) => JSON.stringify(row)).join("\n") + "\n")
  return file
}

/** `text` with evaluation.external_test set to `value` (YAML flow mapping text), before evaluation.metrics. */
export const withExternalTest = (text: string, value: string): string => edit(text, "  metrics: [", `  external_test: ${value}\n  metrics: [`)

/**
 * A MedQuAD-shaped folder `root/name`: one XML document of source A whose pairs answer
 * `questionOf(i)` with `answers[i]`, for generative-qa runs.
 */
export const writeMedquadFolder = (root: string, name: string, answers: ReadonlyArray<string>, questionOf: (i: number) => string): string => {
  const dir = join(root, name)
  mkdirSync(join(dir, "1_A_QA"), { recursive: true })
  const pairs = answers.map((answer, i) => `<QAPair pid="${i + 1}"><Question qid="1-${i + 1}" qtype="information">${questionOf(i)}</Question><Answer>${answer}</Answer></QAPair>`)
  writeFileSync(join(dir, "1_A_QA", "0001.xml"), `<?xml version="1.0" encoding="UTF-8"?>\n<Document id="0001" source="A" url="u">\n<Focus>Care</Focus>\n<QAPairs>\n${pairs.join("\n")}\n</QAPairs>\n</Document>\n`)
  return dir
}

/** A CSV file of a results folder as objects by column. */
export const csvRows = (file: string): Array<Record<string, string>> => {
  const [columns = [], ...rows] = fromCsv(readFileSync(file, "utf8"))
  return rows.map((cells) => Object.fromEntries(columns.map((column, i) => [column, cells[i]!])))
}
