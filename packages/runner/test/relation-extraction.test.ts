// Relation extraction end to end on a tiny random BERT: relation questions about predicted heads,
// strict triple scores in results.csv recomputed from the preds file, relation F1 in the paired
// statistics, and the typed errors for relation data that does not fit the spec.
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events } from "@peftlab/core"
import { builtinRegistryLayer, runExperiment } from "../src/index.ts"
import { prepareSpanData } from "../src/tasks/span-extraction/span-data.ts"
import { decodeSmall, edit, spanSpec, writeJsonl } from "./fixtures.ts"
import { tinyBert } from "./tiny-bert.ts"

type Span = { type: string; start: number; end: number }
type Triple = { type: string; head: Span; tail: Span }

/** A document in the n2c2 2018 shape: entities with ids found by their text, relations by id. */
const doc = (id: string, text: string, drugs: ReadonlyArray<string>, reactions: ReadonlyArray<string>, causes: ReadonlyArray<[string, string]>) => {
  const at = (word: string, type: string, n: number) => ({ id: `${type[0]}${n}`, type, start: text.indexOf(word), end: text.indexOf(word) + word.length })
  const entities = [...drugs.map((w, n) => at(w, "drug", n)), ...reactions.map((w, n) => at(w, "reaction", n))]
  const idOf = (word: string) => entities.find((e) => text.slice(e.start, e.end) === word)!.id
  return { id, text, entities, relations: causes.map(([drug, reaction]) => ({ type: "causes", head: idOf(drug), tail: idOf(reaction) })) }
}

const relationDocs = [
  doc("d1", "Aspirin caused bleeding.", ["Aspirin"], ["bleeding"], [["Aspirin", "bleeding"]]),
  doc("d2", "Penicillin gave her a rash.", ["Penicillin"], ["rash"], [["Penicillin", "rash"]]),
  doc("d3", "Heparin was started; no bleeding followed.", ["Heparin"], ["bleeding"], []),
  doc("d4", "Lisinopril led to a dry cough.", ["Lisinopril"], ["dry cough"], [["Lisinopril", "dry cough"]]),
  doc("d5", "Metformin caused nausea and diarrhea.", ["Metformin"], ["nausea", "diarrhea"], [["Metformin", "nausea"], ["Metformin", "diarrhea"]]),
  doc("d6", "The patient walked to the window.", [], [], []),
  doc("d7", "Warfarin and aspirin together caused bruising.", ["Warfarin", "aspirin"], ["bruising"], [["Warfarin", "bruising"], ["aspirin", "bruising"]]),
  doc("d8", "Statins may cause myalgia.", ["Statins"], ["myalgia"], [["Statins", "myalgia"]]),
  doc("d9", "Codeine left him drowsy.", ["Codeine"], ["drowsy"], [["Codeine", "drowsy"]]),
  doc("d10", "No complaints were voiced today.", [], [], []),
]

/** The span spec with task.relations (causes: drug → reaction), a low threshold so the random head predicts spans to ask about. */
const relationSpec = (dataPath: string, modelPath = "model"): string =>
  edit(
    spanSpec(dataPath, modelPath),
    'question_template: "Which {type} is mentioned?"',
    'question_template: "Which {type} is mentioned?"\n  threshold: 0.05\n  relations:\n    types:\n      causes: { head: drug, tail: reaction }\n    question_template: "Which {tail_type} does {head} cause?"',
  )

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the relation-extraction run: PEFTLAB_MODELS unset (bert-tiny's tokenizer)")

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

describe("relation data against the spec", () => {
  const prepare = async (text: string) => Effect.runPromise(Effect.exit(prepareSpanData((await decodeSmall(text)).spec)).pipe(Effect.provide(builtinRegistryLayer)))

  it("refuses a relation whose head or tail type differs from task.relations', naming the file and sentence", async () => {
    const wrong = relationDocs.map((d) => (d.id === "d2" ? { ...d, relations: [{ type: "causes", head: "r0", tail: "d0" }] } : d))
    const file = writeJsonl(wrong)
    const exit = await prepare(relationSpec(file))
    expect(exit._tag === "Failure" && String(exit.cause)).toContain(
      `${file}: sentence "d2": relation causes joins a reaction head to a drug tail, but task.relations.types.causes says head drug, tail reaction`,
    )
  })

  it("refuses task.relations over data without relations", async () => {
    const file = writeJsonl(relationDocs.map(({ relations: _, ...d }) => d))
    const exit = await prepare(relationSpec(file))
    expect(exit._tag === "Failure" && String(exit.cause)).toContain(`${file}: task.relations names causes, but the training split has no relation of this type`)
  })

  it("refuses a relation question without {head}", async () => {
    const text = edit(relationSpec("data.jsonl"), '"Which {tail_type} does {head} cause?"', '"Which {tail_type} is caused?"')
    const error = await Effect.runPromise(Effect.flip(Effect.tryPromise(() => decodeSmall(text))))
    expect(String(error.cause)).toContain("task.relations.question_template")
  })
})

describe.skipIf(!models)("runExperiment with relations", () => {
  it("extracts triples end to end, scores them by strict micro-F1 as recomputed from the preds file, and compares arms on relation F1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-relation-run-"))
    let text = relationSpec(writeJsonl(relationDocs), await tinyBert())
    text = edit(text, "  - name: base\n    kind: base", "  - name: fine-tune\n    kind: fine-tune\n  - name: prompt\n    kind: prompt\n    num_virtual_tokens: 4")
    text = edit(edit(text, "baseline: base", "baseline: fine-tune"), "lr: 0.1", "lr: 0.01")
    text = edit(text, "bootstrap: { B: 10, seed: 3 }", "bootstrap: { B: 10, seed: 3 }\n  randomization: { R: 19, seed: 3 }")
    const out = join(dir, "results")
    await wasm.setup()
    const before = tf.memory().numTensors
    await Effect.runPromise(runExperiment(await decodeSmall(text), { outDir: out }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), silentEvents, builtinRegistryLayer))))
    expect(tf.memory().numTensors).toBe(before)

    const read = (file: string) => readFileSync(join(out, file), "utf8")
    const [header, ...rows] = read("results.csv").trim().split("\n")
    const columns = header!.split(",")
    expect(columns).toEqual([
      "arm", "kind", "n", "precision", "recall", "micro_f1", "lenient_precision", "lenient_recall", "lenient_f1", "f1_drug", "f1_reaction",
      "relation_precision", "relation_recall", "relation_f1", "relation_f1_causes", "latency_mean_ms", "latency_p95_ms", "trainable_params",
    ])
    const relationF1 = new Map<string, number>()
    let questionsAnswered = 0
    for (const row of rows.map((r) => r.split(","))) {
      const value = (column: string) => Number(row[columns.indexOf(column)])
      const lines = read(`preds_${row[0]}_test.jsonl`).trim().split("\n").map((line) => JSON.parse(line) as { gold_relations: Array<Triple>; predicted_relations: Array<Triple> })
      expect(lines.length).toBe(value("n"))
      // Recomputed apart: each triple as one string, matched by set membership.
      const key = (t: Triple) => `${t.type} ${t.head.type}:${t.head.start}:${t.head.end} ${t.tail.type}:${t.tail.start}:${t.tail.end}`
      let [correct, predicted, gold] = [0, 0, 0]
      for (const line of lines) {
        const goldKeys = new Set(line.gold_relations.map(key))
        const predictedKeys = new Set(line.predicted_relations.map(key))
        correct += [...predictedKeys].filter((k) => goldKeys.has(k)).length
        predicted += predictedKeys.size
        gold += goldKeys.size
        // Every predicted triple's head is one of the sentence's predicted drug spans: extraction is end to end.
        const heads = new Set((line as unknown as { predicted: Array<Span> }).predicted.map((s) => `${s.type}:${s.start}:${s.end}`))
        for (const t of line.predicted_relations) expect(heads.has(`${t.head.type}:${t.head.start}:${t.head.end}`)).toBe(true)
      }
      expect(gold).toBeGreaterThan(0)
      questionsAnswered += predicted
      const [p, r] = [predicted === 0 ? 0 : correct / predicted, gold === 0 ? 0 : correct / gold]
      expect(value("relation_precision")).toBeCloseTo(p, 10)
      expect(value("relation_recall")).toBeCloseTo(r, 10)
      expect(value("relation_f1")).toBeCloseTo(predicted + gold === 0 ? 0 : (2 * correct) / (predicted + gold), 10)
      // One relation type: its F1 is the micro F1.
      expect(value("relation_f1_causes")).toBeCloseTo(value("relation_f1"), 10)
      relationF1.set(row[0]!, value("relation_f1"))
    }
    // At threshold 0.05 the barely trained head finds drugs, and their relation questions find tails.
    expect(questionsAnswered).toBeGreaterThan(0)
    const [comparison] = JSON.parse(read("stats.json"))
    expect(comparison.bootstrap.relation_f1.observed).toBeCloseTo(relationF1.get("prompt")! - relationF1.get("fine-tune")!, 10)
    expect(comparison.randomization.relation_f1).toBeDefined()
  })
})
