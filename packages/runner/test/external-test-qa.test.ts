// evaluation.external_test on a generative-qa run (stories260k, MedQuAD-shaped folders, BERTScore
// on a small random BERT): every arm also answers a second site's questions, never trained or
// selected on. results_external.csv has the main table's score columns, each the mean of the
// per-answer scores in preds_<arm>_external.csv (BERTScore recomputed with the same encoder), with
// the same notes on how ROUGE and BERTScore were computed; report.md and report.html show it.
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events } from "@peftlab/core"
import { bertScore } from "@peftlab/evaluators"
import { loadEncoder } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { loadTokenizer } from "@peftlab/tokenizers"
import { runExperiment, specRegistryLayer } from "../src/index.ts"
import { csvRows, decodeSmall, edit, qaSpecText, withExternalTest, writeMedquadFolder } from "./fixtures.ts"
import { sharedModels, tinyBert } from "./tiny-bert.ts"

if (!sharedModels) console.warn("skipping the generative-qa external-test run: PEFTLAB_MODELS unset (bert-tiny's tokenizer)")

const siteA = ["Take the tablets twice a day with food.", "Rest, fluids and paracetamol for the fever.", "See a doctor if the rash spreads.", "Wash the wound and keep it dry."]
// The other site: other answers, one pair repeated (dropped by data.cleaning.dedupe, as data's would be).
const siteB = ["Drink water and rest until the cough settles.", "Use the inhaler before exercise.", "Drink water and rest until the cough settles.", "Keep the cast dry for six weeks."]

const mean = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0) / values.length

describe.skipIf(!sharedModels)("evaluation.external_test on a generative-qa run (stories260k, wasm)", () => {
  beforeAll(() => wasm.setup())

  it("answers the other site's questions with every arm, in results_external.csv, report.md and report.html", async () => {
    const root = mkdtempSync(join(tmpdir(), "peftlab-external-qa-"))
    const encoderDir = await tinyBert()
    const main = writeMedquadFolder(root, "site-a", [...siteA, ...siteA], (i) => `What should I do in case ${i} ?`)
    const other = writeMedquadFolder(root, "site-b", siteB, (i) => `What helps with problem ${i % 2} ?`)
    const text = [
      ["path: data.json", `path: ${main}`],
      ["split: { train: 0.6, val: 0.2, test: 0.2, stratify: true }", "split: { train: 0.25, val: 0.25, test: 0.5, stratify: false }"],
      ["path: model", `path: ${stories260kDir}`],
      ["max_new_tokens: 4", `max_new_tokens: 8\n  bertscore: { model: ${encoderDir}, layer: 2 }`],
      ["max_length: 64", "max_length: 128"],
      ["  - name: base\n    kind: base", "  - name: base\n    kind: base\n  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 2"],
    ].reduce((spec, [from, to]) => edit(spec, from!, to!), withExternalTest(qaSpecText, `{ path: ${other} }`))
    const outDir = join(root, "results")
    const loaded = await decodeSmall(text)
    await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), Layer.succeed(Events, { emit: () => Effect.void }), specRegistryLayer(loaded)))))

    const read = (file: string) => readFileSync(join(outDir, file), "utf8")
    const results = csvRows(join(outDir, "results_external.csv"))
    const scores = ["rouge1", "rouge2", "rougeL", "bleu", "token_f1", "fk_grade", "smog", "perplexity", "bertscore_precision", "bertscore_recall", "bertscore_f1"]
    expect(Object.keys(results[0]!)).toEqual(["arm", "kind", "n", ...scores])
    expect(Object.keys(csvRows(join(outDir, "results.csv"))[0]!)).toEqual(["arm", "kind", "n", ...scores, "latency_mean_ms", "latency_p95_ms", "trainable_params"])
    expect(results.map((row) => [row["arm"], row["n"]])).toEqual([["base", "3"], ["prompt", "3"]])
    const encoder = await Effect.runPromise(loadEncoder(encoderDir, { withoutOptional: true }))
    const tokenizer = await Effect.runPromise(loadTokenizer(encoderDir))
    for (const row of results) {
      const preds = csvRows(join(outDir, `preds_${row["arm"]}_external.csv`))
      // Three distinct answers of site B, none of site A.
      expect(preds.map((p) => p["reference"])).toEqual([siteB[0], siteB[1], siteB[3]])
      for (const name of ["rouge1", "rougeL", "token_f1"]) expect(Number(row[name]), name).toBeCloseTo(mean(preds.map((p) => Number(p[name]))), 10)
      const expected = await bertScore(encoder, tokenizer, preds.map((p) => p["generated"]!), preds.map((p) => p["reference"]!), { numLayers: 2, idf: false })
      preds.forEach((p, i) => expect(Number(p["bertscore_f1"])).toBeCloseTo(expected.f1[i]!, 6))
      expect(Number(row["bertscore_f1"])).toBeCloseTo(expected.corpus.f1, 6)
    }
    encoder.dispose()
    const table = read("results_external.md")
    expect(table).toContain("rouge-score rules, Porter stemmer off")
    expect(table).toContain(`with ${encoderDir} layer 2, uniform weights.`)
    for (const report of [read("report.md"), read("report.html")]) expect(report).toContain("External test")
    expect(read("report.md")).toContain(table.replace(/^# [^\n]*\n+/, "").trim().split("\n")[0]!)
  })
})
