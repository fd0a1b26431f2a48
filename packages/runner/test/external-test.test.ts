// evaluation.external_test end to end on a tiny random BERT: every arm also evaluated on a second
// site's sentences (never trained or selected on), results_external.csv and report.md's section
// recomputed from preds_<arm>_external.jsonl; and the spec accepting it for every task kind, its
// fields checked against its own data kind. (Classification's and generative QA's runs:
// external-test-classification.test.ts, external-test-qa.test.ts.)
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events } from "@peftlab/core"
import { builtinRegistryLayer, checkRegisteredNames, runExperiment } from "../src/index.ts"
import { decodeSmall, edit, qaSpecText, smallSpec, spanSpec, withExternalTest, writeJsonl } from "./fixtures.ts"
import { tinyBert } from "./tiny-bert.ts"

type Span = { type: string; start: number; end: number }

const sentence = (id: string, text: string, drugs: ReadonlyArray<string>) => ({
  id,
  text,
  entities: drugs.map((drug) => ({ type: "drug", start: text.indexOf(drug), end: text.indexOf(drug) + drug.length })),
})

const siteA = [
  sentence("a1", "Start aspirin daily.", ["aspirin"]),
  sentence("a2", "Penicillin was given.", ["Penicillin"]),
  sentence("a3", "She takes lisinopril.", ["lisinopril"]),
  sentence("a4", "Give heparin now.", ["heparin"]),
  sentence("a5", "Atorvastatin at night.", ["Atorvastatin"]),
  sentence("a6", "The patient walked.", []),
  sentence("a7", "Insulin before meals.", ["Insulin"]),
  sentence("a8", "No complaints today.", []),
  sentence("a9", "Warfarin was held.", ["Warfarin"]),
  sentence("a10", "Metformin was continued.", ["Metformin"]),
]
// The other site: other sentences, one repeated (dropped by data.cleaning.dedupe, as data's would be).
const siteB = [
  sentence("b1", "Codeine for the cough.", ["Codeine"]),
  sentence("b2", "Morphine as needed.", ["Morphine"]),
  sentence("b3", "Rested well overnight.", []),
  sentence("b4", "Codeine for the cough.", ["Codeine"]),
]

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the external-test run: PEFTLAB_MODELS unset (bert-tiny's tokenizer)")

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

const withExternal = (text: string, path: string) => withExternalTest(text, `{ path: ${JSON.stringify(path)} }`)

/** The registry's issues with `text`, as [field, expected]; none when it passes. */
const registryIssues = async (text: string): Promise<Array<[string, string]>> => {
  const checked = checkRegisteredNames(await decodeSmall(text)).pipe(Effect.provide(builtinRegistryLayer))
  return Effect.runPromise(Effect.match(checked, { onSuccess: () => [], onFailure: (error) => error.issues.map((issue): [string, string] => [issue.path, issue.expected]) }))
}

describe("evaluation.external_test in a spec", () => {
  it("is accepted for every task kind, read as data is", async () => {
    for (const text of [smallSpec, qaSpecText, spanSpec()]) expect(await registryIssues(withExternal(text, "site-b"))).toEqual([])
  })

  it("needs the fields its own data kind reads, and gives none that it does not", async () => {
    // Classification from PubMedQA, tested on a CSV: csv needs context and label.
    expect(await registryIssues(withExternalTest(smallSpec, "{ path: site-b.csv, kind: csv, fields: { context: note } }"))).toEqual([
      ["evaluation.external_test.fields.label", "a source field name (evaluation.external_test.kind csv needs fields context, label)"],
    ])
    expect(await registryIssues(withExternalTest(smallSpec, "{ path: site-b.csv, kind: csv, fields: { context: note, label: outcome } }"))).toEqual([])
    expect(await registryIssues(withExternalTest(qaSpecText, "{ path: site-b, fields: { question: q } }"))).toEqual([
      ["evaluation.external_test.fields.question", "no such field for data.kind medquad (it reads no fields)"],
    ])
    // Its kind gives the task's data: question-answer pairs for generative QA.
    expect(await registryIssues(withExternalTest(qaSpecText, "{ path: site-b.json, kind: pubmedqa }"))).toEqual([
      ["evaluation.external_test.kind", "a data kind of question-answer pairs (task.kind is generative-qa); labelled examples need task.kind classification"],
    ])
  })
})

describe.skipIf(!models)("runExperiment with evaluation.external_test", () => {
  it("evaluates every arm on the other site after its test pass, in results_external.csv and report.md", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-external-run-"))
    let text = withExternal(spanSpec(writeJsonl(siteA), await tinyBert()), writeJsonl(siteB, "site-b.jsonl"))
    text = edit(text, "  - name: base\n    kind: base", "  - name: fine-tune\n    kind: fine-tune\n  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 4")
    text = edit(edit(text, "baseline: base", "baseline: fine-tune"), "lr: 0.1", "lr: 0.01")
    const out = join(dir, "results")
    await wasm.setup()
    await Effect.runPromise(runExperiment(await decodeSmall(text), { outDir: out }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), silentEvents, builtinRegistryLayer))))

    const read = (file: string) => readFileSync(join(out, file), "utf8")
    const [header, ...rows] = read("results_external.csv").trim().split("\n")
    const columns = header!.split(",")
    expect(columns).toEqual(["arm", "kind", "n", "precision", "recall", "micro_f1", "lenient_precision", "lenient_recall", "lenient_f1", "f1_drug"])
    expect(rows.map((row) => row.split(",")[0])).toEqual(["fine-tune", "prompt"])
    const siteBTexts = new Set(siteB.map((s) => s.text))
    for (const row of rows.map((r) => r.split(","))) {
      // Three distinct sentences of site B, none of site A: the main test split is elsewhere.
      expect(Number(row[2])).toBe(3)
      const lines = read(`preds_${row[0]}_external.jsonl`).trim().split("\n").map((line) => JSON.parse(line) as { text: string; gold: Array<Span>; predicted: Array<Span> })
      expect(lines.map((line) => siteBTexts.has(line.text))).toEqual([true, true, true])
      const key = (s: Span) => `${s.type}:${s.start}:${s.end}`
      let [correct, predicted, gold] = [0, 0, 0]
      for (const line of lines) {
        const goldKeys = new Set(line.gold.map(key))
        correct += line.predicted.filter((s) => goldKeys.has(key(s))).length
        predicted += line.predicted.length
        gold += line.gold.length
      }
      expect(Number(row[columns.indexOf("micro_f1")])).toBeCloseTo(predicted + gold === 0 ? 0 : (2 * correct) / (predicted + gold), 10)
      expect(Number(row[columns.indexOf("precision")])).toBeCloseTo(predicted === 0 ? 0 : correct / predicted, 10)
    }
    // The main results keep the test split's numbers; the report shows both tables under their own headings.
    expect(read("results.csv").split("\n")[0]).not.toContain("external")
    const report = read("report.md")
    expect(report).toContain("## External test")
    expect(report.indexOf("## Results")).toBeLessThan(report.indexOf("## External test"))
    expect(report).toContain(read("results_external.md").replace(/^# [^\n]*\n+/, "").trim().split("\n")[0])
  })
})
