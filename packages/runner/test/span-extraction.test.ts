// The span-extraction task in the runner: its spec checks, its data kinds and splits, few-shot
// subsets, the paired bootstrap of strict micro-F1, and one whole run on a tiny random BERT.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events, isInputError } from "@peftlab/core"
import type { EntitySpan, SpanSentence } from "@peftlab/datasets"
import { readSafetensors } from "@peftlab/models"
import { decodeSpecText, type ExperimentSpec, type LoadedSpec } from "@peftlab/spec"
import { builtinRegistryLayer, checkRegisteredNames, runExperiment } from "../src/index.ts"
import { fewShot } from "../src/few-shot.ts"
import type { ExtractionRow } from "../src/tasks/span-extraction/extraction-row.ts"
import { compareExtractionsWithBaseline, lenientSentenceCounts, sentenceCounts } from "../src/tasks/span-extraction/span-comparisons.ts"
import { prepareSpanData } from "../src/tasks/span-extraction/span-data.ts"
import { decodeSmall, edit, positionOf, smallSpec, spanSpec } from "./fixtures.ts"
import { tinyBert } from "./tiny-bert.ts"

const registryIssues = async (text: string) => {
  const error = await Effect.runPromise(Effect.flip(checkRegisteredNames(await decodeSmall(text)).pipe(Effect.provide(builtinRegistryLayer))))
  expect(isInputError(error)).toBe(true)
  return error.issues
}

const specIssues = async (text: string) => (await Effect.runPromise(Effect.flip(decodeSpecText(text, "spec.yaml", {})))).issues

const spanMetricChoices =
  "one of precision, recall, micro_f1, lenient_precision, lenient_recall, lenient_f1, per_type_f1, relation_precision, relation_recall, relation_f1, per_relation_f1, latency, trainable_params"

describe("a span-extraction spec against the registry", () => {
  it("accepts jsonl-spans and bio data with the extraction metrics", async () => {
    await Effect.runPromise(checkRegisteredNames(await decodeSmall(spanSpec())).pipe(Effect.provide(builtinRegistryLayer)))
    await Effect.runPromise(checkRegisteredNames(await decodeSmall(edit(spanSpec(), "kind: jsonl-spans", "kind: bio"))).pipe(Effect.provide(builtinRegistryLayer)))
  })

  it("refuses span data for a classification task, naming span-extraction", async () => {
    const text = edit(smallSpec, "kind: pubmedqa", "kind: jsonl-spans")
    expect(await registryIssues(text)).toStrictEqual([
      {
        path: "data.kind",
        expected: "a data kind of labelled examples (task.kind is classification); sentences with entity spans need task.kind span-extraction",
        found: '"jsonl-spans"',
        ...positionOf(text, "jsonl-spans"),
      },
    ])
  })

  it("refuses labelled data and metrics other than the extraction ones", async () => {
    const text = edit(edit(spanSpec(), "kind: jsonl-spans", "kind: pubmedqa"), "recall, micro_f1", "rougeL, micro_f1")
    expect(await registryIssues(text)).toStrictEqual([
      {
        path: "data.kind",
        expected: "a data kind of sentences with entity spans (task.kind is span-extraction); labelled examples need task.kind classification",
        found: '"pubmedqa"',
        ...positionOf(text, "pubmedqa"),
      },
      { path: "evaluation.metrics[1]", expected: spanMetricChoices, found: '"rougeL"', ...positionOf(text, "rougeL") },
    ])
  })
})

describe("decoding a span-extraction spec", () => {
  it("wants evaluation.mode extract", async () => {
    const text = edit(spanSpec(), "mode: extract", "mode: generate\n  max_new_tokens: 4")
    expect(await specIssues(text)).toStrictEqual([
      { path: "evaluation.mode", expected: "extract (a span-extraction task is evaluated on extracted spans)", found: '"generate"', ...positionOf(text, "generate") },
    ])
  })

  it("wants training.select_by micro_f1 or loss", async () => {
    const text = edit(spanSpec(), "select_by: micro_f1", "select_by: macro_f1")
    expect(await specIssues(text)).toStrictEqual([
      {
        path: "training.select_by",
        expected: "micro_f1 or loss (a span-extraction task is validated by strict micro-F1 or its loss)",
        found: '"macro_f1"',
        ...positionOf(text, "macro_f1"),
      },
    ])
    expect((await decodeSmall(edit(spanSpec(), "select_by: micro_f1", "select_by: loss"))).spec.training.select_by).toBe("loss")
  })

  it("wants {type} in task.question_template", async () => {
    const text = edit(spanSpec(), "Which {type} is mentioned?", "Which concepts are mentioned?")
    expect(await specIssues(text)).toStrictEqual([
      {
        path: "task.question_template",
        expected: "a question with {type}, so each entity type is asked its own question",
        found: '"Which concepts are mentioned?"',
        ...positionOf(text, '"Which concepts'),
      },
    ])
  })

  it("keeps micro_f1 selection and extract mode to span extraction", async () => {
    const text = edit(edit(smallSpec, "mode: label-score", "mode: extract"), "max_length: 64", "max_length: 64\n  select_by: micro_f1")
    expect(await specIssues(text)).toStrictEqual([
      { path: "training.select_by", expected: "macro_f1, accuracy or loss (micro_f1 is for task.kind span-extraction)", found: '"micro_f1"', ...positionOf(text, "micro_f1") },
      { path: "evaluation.mode", expected: "label-score or generate (extract is for task.kind span-extraction)", found: '"extract"', ...positionOf(text, "extract") },
    ])
  })
})

/** A sentence whose entities are found by their text (each must occur once), so offsets are never typed in. */
const sentence = (id: string, text: string, mentions: Record<string, ReadonlyArray<string>> = {}): SpanSentence => ({
  id,
  text,
  entities: Object.entries(mentions)
    .flatMap(([type, words]) =>
      words.map((word) => {
        expect(text.split(word), `${JSON.stringify(word)} should occur once in ${JSON.stringify(text)}`).toHaveLength(2)
        return { type, start: text.indexOf(word), end: text.indexOf(word) + word.length }
      }),
    )
    .sort((a, b) => a.start - b.start),
})

// Ten distinct sentences, eight with spans; the allergy type occurs in s2 only.
const sentences: ReadonlyArray<SpanSentence> = [
  sentence("s1", "Start aspirin 81 mg daily.", { drug: ["aspirin"], dose: ["81 mg"] }),
  sentence("s2", "Penicillin caused a rash.", { drug: ["Penicillin"], allergy: ["rash"] }),
  sentence("s3", "She takes lisinopril for her blood pressure.", { drug: ["lisinopril"] }),
  sentence("s4", "Give heparin 5000 units now.", { drug: ["heparin"], dose: ["5000 units"] }),
  sentence("s5", "Atorvastatin 40 mg at night.", { drug: ["Atorvastatin"], dose: ["40 mg"] }),
  sentence("s6", "The patient walked to the window.", {}),
  sentence("s7", "Insulin 10 units before meals.", { drug: ["Insulin"], dose: ["10 units"] }),
  sentence("s8", "No complaints were voiced today.", {}),
  sentence("s9", "Warfarin 5 mg was held.", { drug: ["Warfarin"], dose: ["5 mg"] }),
  sentence("s10", "Metformin 500 mg twice a day was continued.", { drug: ["Metformin"], dose: ["500 mg"] }),
]

const jsonl = (rows: ReadonlyArray<unknown>): string => rows.map((row) => JSON.stringify(row)).join("\n") + "\n"

const writeData = (rows: ReadonlyArray<unknown>): string => {
  const file = join(mkdtempSync(join(tmpdir(), "peftlab-spans-")), "data.jsonl")
  writeFileSync(file, jsonl(rows))
  return file
}

const prepared = async (rows: ReadonlyArray<unknown>) => {
  const file = writeData(rows)
  const spec = (await decodeSmall(spanSpec(file))).spec
  return { file, exit: await Effect.runPromise(Effect.exit(prepareSpanData(spec)).pipe(Effect.provide(builtinRegistryLayer))) }
}

const ids = (split: ReadonlyArray<SpanSentence>) => split.map((s) => s.id)

describe("prepareSpanData", () => {
  it("drops empty and repeated texts, splits by the spec, and takes entity types from train", async () => {
    const rows = [...sentences, { id: "s11", text: sentences[0]!.text, entities: [] }, { id: "s12", text: " ", entities: [] }]
    const { exit } = await prepared(rows)
    if (exit._tag === "Failure") throw new Error(String(exit.cause))
    const { splits, labels, report } = exit.value
    expect(report).toMatchObject({ read: 12, kept: 10, dropped: { "duplicate text": 1, "empty text": 1 } })
    // Stratified by "has spans": 8 with, round(4.8) = 5 train, round(1.6) = 2 val, 1 test;
    // 2 without, round(1.2) = 1 train, round(0.4) = 0 val, 1 test.
    expect([splits.train.length, splits.val.length, splits.test.length]).toEqual([6, 2, 2])
    expect(splits.test.filter((s) => s.entities.length === 0)).toHaveLength(1)
    expect([...ids(splits.train), ...ids(splits.val), ...ids(splits.test)].sort()).toEqual(ids(sentences).sort())
    // Seed 3 leaves s2, the only allergy sentence, out of train, so allergy is never asked.
    expect(ids(splits.train)).not.toContain("s2")
    expect(labels).toEqual(["dose", "drug"])
    // Every sentence keeps its spans as written.
    const written = new Map(sentences.map((s) => [s.id, s]))
    for (const s of [...splits.train, ...splits.val, ...splits.test]) expect(s).toStrictEqual(written.get(s.id))
  })

  it("fails naming the file when the training split has no spans", async () => {
    const { file, exit } = await prepared(sentences.map((s) => ({ ...s, entities: [] })))
    expect(exit._tag === "Failure" && String(exit.cause)).toContain(`${file}: the training split has no entity spans`)
  })

  it("refuses repeated sentence ids", async () => {
    const { file, exit } = await prepared([...sentences, { id: "s3", text: "A new sentence.", entities: [] }])
    expect(exit._tag === "Failure" && String(exit.cause)).toContain(`${file}: sentence ids repeat; give every sentence its own id`)
  })
})

describe("fewShot", () => {
  const items = Array.from({ length: 10 }, (_, i) => i)

  it("draws the same n distinct items for the same seed", () => {
    const subset = fewShot(items, 4, 7)
    expect(subset).toHaveLength(4)
    expect(new Set(subset).size).toBe(4)
    for (const item of subset) expect(items).toContain(item)
    expect(fewShot(items, 4, 7)).toEqual(subset)
    // Another seed draws another subset (fixed by the generator, so this cannot flake).
    expect(fewShot(items, 4, 8)).not.toEqual(subset)
  })

  it("keeps every item when n is unset or not smaller than the set", () => {
    for (const n of [undefined, 10, 25]) expect(fewShot(items, n, 7)).toEqual(items)
  })
})

describe("compareExtractionsWithBaseline", () => {
  const drug = (start: number, end: number): EntitySpan => ({ type: "drug", start, end })
  const dose = (start: number, end: number): EntitySpan => ({ type: "dose", start, end })
  const row = (id: string, gold: Array<EntitySpan>, predicted: Array<EntitySpan>): ExtractionRow => ({ id, gold, predicted })

  it("counts correct, predicted and gold spans of a sentence under strict match", () => {
    // drug 0-5 matches; drug 6-10 has the wrong type for gold dose 6-10; dose 11-12 is not gold.
    expect(sentenceCounts(row("a", [drug(0, 5), dose(6, 10)], [drug(0, 5), drug(6, 10), dose(11, 12)]))).toEqual([1, 3, 2])
    expect(sentenceCounts(row("b", [], []))).toEqual([0, 0, 0])
  })

  const spec = async () => ({ ...(await decodeSmall(spanSpec())).spec, arms: [{ name: "base" }, { name: "arm" }, { name: "absent" }] }) as unknown as ExperimentSpec
  const gold = { a: [drug(0, 5)], b: [drug(0, 5), dose(6, 10)], c: [], d: [drug(2, 4)] }
  // Per sentence [correct, predicted, gold]: a 0,0,1; b 1,2,2; c 0,1,0; d 1,1,1.
  const base = [row("a", gold.a, []), row("b", gold.b, [drug(0, 5), drug(6, 10)]), row("c", gold.c, [dose(1, 3)]), row("d", gold.d, [drug(2, 4)])]
  // As good or better on every sentence: a 1,1,1; b 2,2,2; c 0,0,0; d 1,1,1 (listed out of order).
  const arm = [row("d", gold.d, [drug(2, 4)]), row("c", gold.c, []), row("b", gold.b, [dose(6, 10), drug(0, 5)]), row("a", gold.a, [drug(0, 5)])]

  it("bootstraps the paired micro-F1 difference over sentences, aligned by id", async () => {
    const [comparison, ...others] = compareExtractionsWithBaseline(await spec(), new Map([["base", base], ["arm", arm]]))
    expect(others).toHaveLength(0)
    expect(comparison).toMatchObject({ arm: "arm", baseline: "base", n: 4 })
    // Summed counts: base 2c / (p + g) = 4 / (4 + 4) = 0.5; arm 8 / (4 + 4) = 1.
    const { observed, ci95 } = comparison!.bootstrap!.micro_f1!
    expect(observed).toBeCloseTo(0.5, 12)
    expect(ci95[0]).toBeLessThanOrEqual(observed)
    expect(ci95[1]).toBeGreaterThanOrEqual(observed)
    // The arm is never worse on a sentence, so no resample has it behind the baseline.
    expect(ci95[0]).toBeGreaterThanOrEqual(0)
  })

  it("compares lenient F1 too, and runs approximate randomization of both when the spec asks", async () => {
    // Lenient per sentence [found predicted, predicted, found gold, gold]: base a 0,0,0,1; b 1,2,1,2 (drug 6-10
    // overlaps no gold drug); c 0,1,0,0; d 1,1,1,1: P = 2/4, R = 2/4, F1 0.5. The arm finds everything: 1.
    expect(lenientSentenceCounts(row("b", gold.b, [drug(0, 3), drug(6, 10)]))).toEqual([1, 2, 1, 2])
    const asked = { ...(await spec()), stats: { ...(await spec()).stats, randomization: { R: 999, seed: 4 } } }
    const [comparison] = compareExtractionsWithBaseline(asked, new Map([["base", base], ["arm", arm]]))
    expect(comparison!.bootstrap!.lenient_f1!.observed).toBeCloseTo(0.5, 12)
    const { micro_f1, lenient_f1 } = comparison!.randomization!
    expect(micro_f1).toMatchObject({ observed: comparison!.bootstrap!.micro_f1!.observed, R: 999 })
    expect(lenient_f1!.observed).toBeCloseTo(0.5, 12)
    // Sentence d is the same for both arms; of the 8 ways to swap a, b and c only swapping none or all
    // three reaches |0.5|, so the exact randomization p is 2/8, which 999 shuffles estimate.
    expect(Math.abs(micro_f1!.pValue - 0.25)).toBeLessThan(0.05)
    // Without stats.randomization, none.
    expect(compareExtractionsWithBaseline(await spec(), new Map([["base", base], ["arm", arm]]))[0]!.randomization).toBeUndefined()
  })

  it("refuses arms evaluated on other test sentences", async () => {
    const withoutA = arm.filter((r) => r.id !== "a")
    const compared = await spec()
    expect(() => compareExtractionsWithBaseline(compared, new Map([["base", base], ["arm", withoutA]]))).toThrow(/lack test \w+ a: arms were evaluated on different test sets/)
  })
})

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the span-extraction run: PEFTLAB_MODELS unset (bert-tiny's tokenizer)")

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

describe.skipIf(!models)("runExperiment on span extraction", () => {
  it("trains a frozen prompt arm and a fine-tune arm with the span head, and writes their extractions and adapters", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-span-run-"))
    let text = spanSpec(writeData(sentences), await tinyBert())
    text = edit(text, "  - name: base\n    kind: base", "  - name: fine-tune\n    kind: fine-tune\n    hard_prompt: false\n  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 4")
    text = edit(edit(text, "baseline: base", "baseline: fine-tune"), "lr: 0.1", "lr: 0.01")
    const loaded: LoadedSpec = await decodeSmall(text)
    const out = join(dir, "results")
    await wasm.setup()
    const before = tf.memory().numTensors
    await Effect.runPromise(runExperiment(loaded, { outDir: out }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), silentEvents, builtinRegistryLayer))))
    // Model, adapters, heads and optimizer state are all released once the run ends.
    expect(tf.memory().numTensors).toBe(before)

    const read = (...path: Array<string>) => readFileSync(join(out, ...path), "utf8")
    const [header, ...rows] = read("results.csv").trim().split("\n")
    // The training split (as prepareSpanData's test shows) has drug and dose spans, not allergy.
    expect(header).toBe("arm,kind,n,precision,recall,micro_f1,lenient_precision,lenient_recall,lenient_f1,f1_dose,f1_drug,latency_mean_ms,latency_p95_ms,trainable_params")
    expect(rows.map((row) => row.split(",")[0])).toEqual(["fine-tune", "prompt"])
    // A frozen encoder trains its 4 x 32 prompt and the 32 -> 2 span head only.
    expect(Number(rows[1]!.split(",").at(-1))).toBe(4 * 32 + 32 * 2 + 2)

    const written = new Map(sentences.map((s) => [s.id, s.entities]))
    for (const arm of ["fine-tune", "prompt"]) {
      const lines = read(`preds_${arm}_test.jsonl`).trim().split("\n").map((line) => JSON.parse(line) as { id: string; gold: unknown })
      // 0.2 of the 8 sentences with spans and of the 2 without (see prepareSpanData's test).
      expect(lines).toHaveLength(2)
      for (const line of lines) expect(line.gold).toStrictEqual(written.get(line.id))
      const config = JSON.parse(read("adapters", arm, "adapter_config.json")) as { modules_to_save: Array<string> }
      expect(config.modules_to_save).toContain("qa_outputs")
      const tensors = await Effect.runPromise(readSafetensors(join(out, "adapters", arm, "adapter_model.safetensors")))
      expect(tensors.get("base_model.model.qa_outputs.weight")?.shape).toEqual([2, 32])
      expect(tensors.get("base_model.model.qa_outputs.bias")?.shape).toEqual([2])
    }
  })
})
