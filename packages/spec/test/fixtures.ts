// Spec texts and helpers shared by the tests. Expected positions are computed from the
// fixture text itself (where a unique substring starts), never typed in by hand.
import { Effect } from "effect"
import { expect } from "vitest"
import { decodeSpecText, type Env, type LoadedSpec, type SpecError } from "../src/index.ts"

/** Every required field and no optional one. */
export const minimalSpec = `name: tiny
seed: 7
data:
  kind: pubmedqa
  path: \${PEFTLAB_DATA}/pubmedqa/ori_pqal.json
  split:
    train: 0.5
    val: 0.25
    test: 0.25
    stratify: false
model:
  path: \${PEFTLAB_MODELS}/stories260k
task:
  template: "Q: {question} C: {context}"
  labels:
    "yes": " yes"
    "no": " no"
arms:
  - name: base
    kind: base
  - name: prompt
    kind: prompt
    num_virtual_tokens: 4
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
  bootstrap:
    B: 10
    seed: 3
output:
  dir: out
`

/** 1-based line and column where `needle`, which must occur exactly once, starts in `text`. */
export const positionOf = (text: string, needle: string): { line: number; column: number } => {
  const index = text.indexOf(needle)
  expect(index, `fixture lacks ${JSON.stringify(needle)}`).toBeGreaterThanOrEqual(0)
  expect(text.indexOf(needle, index + 1), `fixture has ${JSON.stringify(needle)} twice`).toBe(-1)
  const before = text.slice(0, index).split("\n")
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}

/** `text` with its one occurrence of `from` replaced. */
export const edit = (text: string, from: string, to: string): string => {
  positionOf(text, from)
  return text.replace(from, to)
}

export const decodeOk = (text: string, env: Env = {}): Promise<LoadedSpec> =>
  Effect.runPromise(decodeSpecText(text, "spec.yaml", env))

export const decodeError = (text: string, env: Env = {}): Promise<SpecError> =>
  Effect.runPromise(Effect.flip(decodeSpecText(text, "spec.yaml", env)))

/** The minimal spec as a generative-qa task: a {question} template, no labels, generated answers validated by loss. */
export const minimalQaSpec = edit(
  edit(edit(minimalSpec, '"Q: {question} C: {context}"', '"Answer: {question}"\n  kind: generative-qa'), "mode: label-score", "mode: generate\n  max_new_tokens: 8"),
  "max_length:",
  "select_by: loss\n  max_length:",
).replace(/\n  labels:\n(    .*\n)+/, "\n")
