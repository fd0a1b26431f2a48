// evaluation.bertscore from the spec to the results: a generative-qa run of stories260k (the
// frozen base and a prompt-tuning arm) on a MedQuAD-shaped folder, with BERTScore on a small
// random BERT. Each answer's F1 in preds_<arm>_test.csv is @peftlab/evaluators' bertScore on
// (generated, reference) with that encoder and layer (bertScore itself is checked against
// bert-score in @peftlab/evaluators); results.csv holds the means, results.md says how they were
// computed, and stats.json compares the arms' BERTScore F1 as it does ROUGE-L.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events } from "@peftlab/core"
import { bertScore } from "@peftlab/evaluators"
import { loadEncoder } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { loadTokenizer } from "@peftlab/tokenizers"
import { runExperiment, specRegistryLayer } from "../src/index.ts"
import { csvRows, decodeSmall, edit, qaSpecText, writeMedquadFolder } from "./fixtures.ts"
import { sharedModels, tinyBert } from "./tiny-bert.ts"

if (!sharedModels) console.warn("skipping the BERTScore run: PEFTLAB_MODELS unset (bert-tiny's tokenizer)")

const answers = ["Take the tablets twice a day with food.", "Rest, fluids and paracetamol for the fever.", "See a doctor if the rash spreads.", "Wash the wound and keep it dry."]

describe.skipIf(!sharedModels)("evaluation.bertscore through a generative-qa run (stories260k, wasm)", () => {
  let tmp = ""
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "peftlab-bertscore-"))
    await wasm.setup()
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it("scores every answer, writes the means and compares the arms on BERTScore F1", async () => {
    const encoderDir = await tinyBert()
    const text = [
      ["path: data.json", `path: ${writeMedquadFolder(tmp, "medquad", [...answers, ...answers], (i) => `What should I do in case ${i} ?`)}`],
      ["split: { train: 0.6, val: 0.2, test: 0.2, stratify: true }", "split: { train: 0.25, val: 0.25, test: 0.5, stratify: false }"],
      ["path: model", `path: ${stories260kDir}`],
      ["max_new_tokens: 4", `max_new_tokens: 12\n  bertscore: { model: ${encoderDir}, layer: 2, idf: true }`],
      ["max_length: 64", "max_length: 128"],
      ["  - name: base\n    kind: base", "  - name: base\n    kind: base\n  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 2"],
      ["bootstrap: { B: 10, seed: 3 }", "bootstrap: { B: 200, seed: 3 }\n  randomization: { R: 199, seed: 3 }"],
    ].reduce((spec, [from, to]) => edit(spec, from!, to!), qaSpecText)
    const outDir = join(tmp, "results")
    const loaded = await decodeSmall(text)
    await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), Layer.succeed(Events, { emit: () => Effect.void }), specRegistryLayer(loaded)))))

    const encoder = await Effect.runPromise(loadEncoder(encoderDir, { withoutOptional: true }))
    const tokenizer = await Effect.runPromise(loadTokenizer(encoderDir))
    const results = new Map(csvRows(join(outDir, "results.csv")).map((row) => [row["arm"]!, row]))
    const meanF1 = new Map<string, number>()
    for (const arm of ["base", "prompt"]) {
      const rows = csvRows(join(outDir, `preds_${arm}_test.csv`))
      expect(rows).toHaveLength(4)
      const expected = await bertScore(encoder, tokenizer, rows.map((r) => r["generated"]!), rows.map((r) => r["reference"]!), { numLayers: 2, idf: true })
      rows.forEach((row, i) => expect(Number(row["bertscore_f1"])).toBeCloseTo(expected.f1[i]!, 6))
      expect(Number(results.get(arm)!["bertscore_precision"])).toBeCloseTo(expected.corpus.precision, 6)
      expect(Number(results.get(arm)!["bertscore_recall"])).toBeCloseTo(expected.corpus.recall, 6)
      expect(Number(results.get(arm)!["bertscore_f1"])).toBeCloseTo(expected.corpus.f1, 6)
      meanF1.set(arm, expected.corpus.f1)
    }
    encoder.dispose()
    expect(readFileSync(join(outDir, "results.md"), "utf8")).toContain(`bertscore_precision, bertscore_recall, bertscore_f1: BERTScore as bert-score 0.3.13 computes it, with ${encoderDir} layer 2, idf weights over the references.`)
    const [comparison] = JSON.parse(readFileSync(join(outDir, "stats.json"), "utf8"))
    expect(comparison.bootstrap.bertscore_f1.observed).toBeCloseTo(meanF1.get("prompt")! - meanF1.get("base")!, 6)
    expect(comparison.randomization.bertscore_f1).toMatchObject({ R: 199 })
    expect(comparison.randomization.bertscore_f1.observed).toBeCloseTo(comparison.bootstrap.bertscore_f1.observed, 12)
    expect(Object.keys(comparison.bootstrap)).toEqual(["rougeL", "bertscore_f1"])
  })
})
