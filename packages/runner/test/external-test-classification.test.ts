// evaluation.external_test on a classification run (stories260k on the quickstart's PubMedQA):
// every arm is also evaluated on a second site's JSONL file, read by its own data kind and fields
// and cleaned as data is, never trained or selected on. results_external.csv's scores are
// recomputed from preds_<arm>_external.csv; report.md and report.html show the table; and a
// broken line in the external file fails the run naming the file and line.
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events, isInputError } from "@peftlab/core"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { runExperiment, specRegistryLayer } from "../src/index.ts"
import { csvRows, decodeSmall, edit, smallSpec, withExternalTest, writeJsonl } from "./fixtures.ts"

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

// The other site's notes, under its own keys. Cleaning as data's: "maybe" dropped, labels
// lowercased, the repeated note dropped; 4 examples remain.
const siteB = [
  { note_id: "b1", note: "Aspirin lowered the risk of stroke in the trial.", q: "Does aspirin prevent stroke?", outcome: "Yes" },
  { note_id: "b2", note: "Vitamin C did not shorten colds in adults.", q: "Does vitamin C shorten colds?", outcome: "no" },
  { note_id: "b3", note: "The effect of coffee on sleep was unclear.", q: "Does coffee harm sleep?", outcome: "maybe" },
  { note_id: "b4", note: "Statins reduced cholesterol in every group.", q: "Do statins lower cholesterol?", outcome: "yes" },
  { note_id: "b5", note: "Vitamin C did not shorten colds in adults.", q: "Does vitamin C shorten colds?", outcome: "no" },
  { note_id: "b6", note: "Zinc showed no benefit for wound healing.", q: "Does zinc heal wounds?", outcome: "NO" },
]
const external = (path: string) => `{ path: ${JSON.stringify(path)}, kind: jsonl, fields: { context: note, question: q, label: outcome, id: note_id } }`

/** The small spec on stories260k and the quickstart's PubMedQA, a base and a prompt-tuning arm, with `externalTest`. */
const specText = (externalTest: string): string => {
  let text = edit(smallSpec, "path: data.json", `path: ${pubmedqaFile}\n  limit: { train: 8, val: 4, test: 6 }`)
  text = edit(text, "path: model", `path: ${stories260kDir}`)
  text = edit(text, "    kind: base\n", "    kind: base\n  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 2\n")
  text = edit(edit(text, "max_length: 64", "max_length: 160"), "[accuracy, macro_f1]", "[accuracy, macro_f1, balanced_accuracy]")
  return withExternalTest(text, externalTest)
}

/** Runs `text` into `outDir`: undefined when it succeeds, else its error. */
const run = async (text: string, outDir: string) => {
  const loaded = await decodeSmall(text)
  const running = runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), silentEvents, specRegistryLayer(loaded))))
  return Effect.runPromise(Effect.match(running, { onSuccess: () => undefined, onFailure: (error) => error }))
}

/** Per-label F1 of gold/pred pairs, for `label`: 2·tp / (2·tp + fp + fn), 0 when the label is nowhere. */
const f1Of = (rows: ReadonlyArray<Record<string, string>>, label: string): number => {
  const tp = rows.filter((r) => r["gold"] === label && r["pred"] === label).length
  const wrong = rows.filter((r) => (r["gold"] === label) !== (r["pred"] === label)).length
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + wrong)
}

describe("evaluation.external_test on a classification run (stories260k, wasm)", () => {
  beforeAll(() => wasm.setup())

  it("evaluates every arm on the other site's file, in results_external.csv, report.md and report.html", async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), "peftlab-external-classification-")), "results")
    expect(await run(specText(external(writeJsonl(siteB, "site-b.jsonl"))), outDir)).toBeUndefined()

    const read = (file: string) => readFileSync(join(outDir, file), "utf8")
    const results = csvRows(join(outDir, "results_external.csv"))
    expect(Object.keys(results[0]!)).toEqual(["arm", "kind", "n", "macro_f1", "accuracy", "f1_yes", "f1_no", "balanced_accuracy"])
    expect(results.map((row) => row["arm"])).toEqual(["base", "prompt"])
    for (const row of results) {
      const preds = csvRows(join(outDir, `preds_${row["arm"]}_external.csv`))
      expect(preds.map((p) => [p["id"], p["gold"]])).toEqual([["b1", "yes"], ["b2", "no"], ["b4", "yes"], ["b6", "no"]])
      expect(Number(row["n"])).toBe(4)
      const [yes, no] = [f1Of(preds, "yes"), f1Of(preds, "no")]
      expect(Number(row["f1_yes"])).toBeCloseTo(yes, 10)
      expect(Number(row["f1_no"])).toBeCloseTo(no, 10)
      expect(Number(row["macro_f1"])).toBeCloseTo((yes + no) / 2, 10)
      expect(Number(row["accuracy"])).toBeCloseTo(preds.filter((p) => p["gold"] === p["pred"]).length / 4, 10)
      // Balanced accuracy: the mean of each label's recall (2 gold examples each).
      const recall = (label: string) => preds.filter((p) => p["gold"] === label && p["pred"] === label).length / 2
      expect(Number(row["balanced_accuracy"])).toBeCloseTo((recall("yes") + recall("no")) / 2, 10)
    }
    // The main results keep the test split's 6 examples; both reports show the external table under its own heading.
    expect(csvRows(join(outDir, "results.csv")).map((row) => row["n"])).toEqual(["6", "6"])
    const table = read("results_external.md").replace(/^# [^\n]*\n+/, "").trim().split("\n")[0]!
    for (const report of [read("report.md"), read("report.html")]) expect(report).toContain("External test")
    expect(read("report.md")).toContain(table)
  })

  it("fails on a broken line of the external file, naming the file and line, before any arm trains", async () => {
    const file = writeJsonl([siteB[0], "not an object", siteB[1]], "site-b.jsonl")
    const outDir = join(mkdtempSync(join(tmpdir(), "peftlab-external-classification-")), "results")
    const error = await run(specText(external(file)), outDir)
    expect(isInputError(error)).toBe(true)
    expect(error).toMatchObject({ source: file, detail: expect.stringContaining("line 2") })
  })
})
