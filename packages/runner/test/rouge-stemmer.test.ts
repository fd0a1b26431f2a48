// evaluation.rouge_stemmer from the spec to the ROUGE evaluator to the results: a generative-qa
// run of stories260k's frozen base on a MedQuAD-shaped folder, once with the stemmer off (the
// default) and once on. Each generated answer's ROUGE in preds_base_test.csv is rouge-score's
// (peftlab's `rouge`, checked against rouge-score in @peftlab/evaluators) with that setting,
// exactly; the setting is in manifest.json and next to the ROUGE columns of results.md,
// report.md and report.html.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events } from "@peftlab/core"
import { rouge } from "@peftlab/evaluators"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { fromCsv } from "@peftlab/reporters"
import { runExperiment, specRegistryLayer } from "../src/index.ts"
import { fingerprintInputs, fingerprintOf } from "../src/fingerprint.ts"
import { decodeSmall, edit, qaSpecText, writeMedquadFolder } from "./fixtures.ts"

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

// Story-like answers. stories260k's base answers each question with the same story opening
// ("Hello, Remy!" Andy said. ...); "hellos", "saying" and "says" meet its "hello" and "said"
// only once stemmed, so the stemmer changes the scores.
const answers = [
  "Remy and Andy said hellos to their friends in the park.",
  "Andy was saying hellos to everyone, happily playing with the dogs.",
  "The little dogs barked hellos at the birds flying over the trees.",
  "Mom says hellos to Remy, who was baking cakes for the children.",
]

interface Row {
  readonly reference: string
  readonly generated: string
  readonly rouge1: number
  readonly rougeL: number
}
/** preds_base_test.csv's rows. */
const predictions = (outDir: string): Array<Row> => {
  const [columns = [], ...rows] = fromCsv(readFileSync(join(outDir, "preds_base_test.csv"), "utf8"))
  return rows.map((cells) => {
    const get = (name: string) => cells[columns.indexOf(name)]!
    return { reference: get("reference"), generated: get("generated"), rouge1: Number(get("rouge1")), rougeL: Number(get("rougeL")) }
  })
}

describe("evaluation.rouge_stemmer through a generative-qa run (stories260k, wasm)", () => {
  let tmp = ""
  const runs = new Map<boolean, string>()
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "peftlab-rouge-stemmer-"))
    await wasm.setup()
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  const runWith = async (stemmer: boolean | undefined): Promise<string> => {
    const root = mkdtempSync(join(tmp, "run-"))
    const text = [
      ["path: data.json", `path: ${writeMedquadFolder(root, "medquad", [...answers, ...answers], (i) => `What happened in story ${i} ?`)}`],
      ["split: { train: 0.6, val: 0.2, test: 0.2, stratify: true }", "split: { train: 0.25, val: 0.25, test: 0.5, stratify: false }"],
      ["path: model", `path: ${stories260kDir}`],
      ["max_new_tokens: 4", `max_new_tokens: 24${stemmer === undefined ? "" : `\n  rouge_stemmer: ${stemmer}`}`],
      ["max_length: 64", "max_length: 192"],
    ].reduce((spec, [from, to]) => edit(spec, from!, to!), qaSpecText)
    const outDir = join(root, "results")
    const loaded = await decodeSmall(text)
    await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), silentEvents, specRegistryLayer(loaded)))))
    return outDir
  }

  it("off by default: manifest.json says false, results and reports say the stemmer is off, each answer scored without it", async () => {
    const outDir = await runWith(undefined)
    runs.set(false, outDir)
    expect(JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")).spec.evaluation.rouge_stemmer).toBe(false)
    const note = "rouge1, rouge2, rougeL: ROUGE-1, ROUGE-2, ROUGE-L (rouge-score rules, Porter stemmer off)."
    for (const file of ["results.md", "report.md"]) expect(readFileSync(join(outDir, file), "utf8")).toContain(note)
    expect(readFileSync(join(outDir, "report.html"), "utf8")).toContain("rouge-score rules, Porter stemmer off")
    const rows = predictions(outDir)
    expect(rows).toHaveLength(4)
    for (const row of rows) expect(row.rougeL).toBeCloseTo(rouge(row.reference, row.generated).rougeL.fmeasure, 12)
  })

  it("on: written in manifest.json and the reports, each answer scored with the Porter stemmer, which here changes scores", async () => {
    const outDir = await runWith(true)
    runs.set(true, outDir)
    expect(JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")).spec.evaluation.rouge_stemmer).toBe(true)
    for (const file of ["results.md", "report.md"]) expect(readFileSync(join(outDir, file), "utf8")).toContain("(rouge-score rules, Porter stemmer on).")
    expect(readFileSync(join(outDir, "report.html"), "utf8")).toContain("rouge-score rules, Porter stemmer on")
    const [on, off] = [predictions(outDir), predictions(runs.get(false)!)]
    // The same greedy answers either way; only their scoring differs.
    expect(on.map((r) => r.generated)).toEqual(off.map((r) => r.generated))
    for (const row of on) {
      expect(row.rouge1).toBeCloseTo(rouge(row.reference, row.generated, { useStemmer: true }).rouge1.fmeasure, 12)
      expect(row.rougeL).toBeCloseTo(rouge(row.reference, row.generated, { useStemmer: true }).rougeL.fmeasure, 12)
    }
    on.forEach((row, i) => expect(row.rouge1).toBeGreaterThan(off[i]!.rouge1 + 0.01))
  })
})

describe("evaluation.rouge_stemmer in the fingerprint", () => {
  it("counts only when on: a folder made before the field (stemmer off) still resumes, one made with it on does not mix", async () => {
    const off = (await decodeSmall(qaSpecText)).spec
    const on = (await decodeSmall(edit(qaSpecText, "max_new_tokens: 4", "max_new_tokens: 4\n  rouge_stemmer: true"))).spec
    const { rouge_stemmer: _, ...beforeTheField } = off.evaluation
    const of = (spec: typeof off) => fingerprintOf(fingerprintInputs(spec, "data", "weights", "wasm"))
    expect(of(off)).toBe(of({ ...off, evaluation: beforeTheField as typeof off.evaluation }))
    expect(of(on)).not.toBe(of(off))
  })
})
