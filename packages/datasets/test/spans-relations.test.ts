// Relations in JSONL span data (the n2c2 2018 drug-ADE shape: entity ids, relations naming their
// head and tail by id), the typed errors for bad relation data, and the relation questions asked
// about head entities in the reading-comprehension style.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadJsonlSpans, relationTriples, toRelationQuestions, type SpanSentence } from "../src/spans/index.ts"
import { writeTempFile } from "./fixtures.ts"

const load = (lines: ReadonlyArray<unknown>, options?: Parameters<typeof loadJsonlSpans>[1]) =>
  loadJsonlSpans(writeTempFile("ade.jsonl", lines.map((l) => JSON.stringify(l)).join("\n") + "\n"), options)

const text = "Aspirin 81 mg caused bleeding and a rash."
const entities = [
  { id: "T1", start: 0, end: 7, type: "Drug" },
  { id: "T2", start: 8, end: 13, type: "Dosage" },
  { id: "T3", start: 21, end: 29, type: "ADE" },
  { id: "T4", start: 36, end: 40, type: "ADE" },
]
const relations = [
  { type: "ADE-Drug", head: "T1", tail: "T4" },
  { type: "ADE-Drug", head: "T1", tail: "T3" },
  { type: "Dosage-Drug", head: "T1", tail: "T2" },
]
const drug = { type: "Drug", start: 0, end: 7 }

describe("loadJsonlSpans with relations", () => {
  it("resolves each relation's head and tail ids to the entities' spans, sorted, and drops the ids", async () => {
    const { sentences } = await Effect.runPromise(load([{ id: "d1", text, entities, relations }, { id: "d2", text: "No drugs.", entities: [] }]))
    expect(sentences[0]!.entities).toEqual(entities.map(({ id: _, ...span }) => span))
    expect(sentences[0]!.relations).toEqual([
      { type: "Dosage-Drug", head: drug, tail: { type: "Dosage", start: 8, end: 13 } },
      { type: "ADE-Drug", head: drug, tail: { type: "ADE", start: 21, end: 29 } },
      { type: "ADE-Drug", head: drug, tail: { type: "ADE", start: 36, end: 40 } },
    ])
    // A line without relations has no relations key at all.
    expect("relations" in sentences[1]!).toBe(false)
  })

  it("fails naming the file, line and field on an unknown or repeated entity id, and on a relation without a head", async () => {
    const fail = async (line: unknown) => (await Effect.runPromise(Effect.flip(load([{ id: "d0", text: "x", entities: [] }, line])))).message
    expect(await fail({ text, entities, relations: [{ type: "ADE-Drug", head: "T1", tail: "T9" }] })).toMatch(
      /ade\.jsonl: line 2, field "relations"\[0\]\["tail"\]: expected the id of one of the line's entities \("T1", "T2", "T3", "T4"\), got "T9"$/,
    )
    expect(await fail({ text, entities: [entities[0], { ...entities[2], id: "T1" }], relations: [] })).toMatch(
      /line 2, field "entities"\[1\]\["id"\]: expected an id no other entity of the line has, got "T1" again$/,
    )
    expect(await fail({ text, entities, relations: [{ type: "ADE-Drug", tail: "T3" }] })).toMatch(/line 2, field "relations"\[0\]\["head"\]/)
    const error = await Effect.runPromise(Effect.flip(load([{ text, entities: [], relations: [{ type: "ADE-Drug", head: 1, tail: 2 }] }])))
    expect(error._tag).toBe("DataFileError")
    expect(error.message).toContain("(none has an id)")
  })

  it("with skipMalformed drops lines with bad relations and counts them by reason", async () => {
    const lines = [{ text, entities, relations }, { text, entities, relations: [{ type: "ADE-Drug", head: "T1", tail: "T9" }] }]
    const { sentences, report } = await Effect.runPromise(load(lines, { skipMalformed: true }))
    expect(sentences).toHaveLength(1)
    expect(report.dropped).toEqual({ "unknown entity id": 1 })
  })
})

describe("toRelationQuestions", () => {
  const sentence: SpanSentence = {
    id: "d1",
    text,
    entities: entities.map(({ id: _, ...span }) => span),
    relations: [
      { type: "ADE-Drug", head: drug, tail: { type: "ADE", start: 21, end: 29 } },
      { type: "ADE-Drug", head: drug, tail: { type: "ADE", start: 36, end: 40 } },
    ],
  }
  const types = { "ADE-Drug": { head: "Drug", tail: "ADE" }, "Dosage-Drug": { head: "Drug", tail: "Dosage", question: "What dose of {head} ({head_type})?" } }

  it("asks each head entity of a relation's head type, answered by its gold tails", () => {
    const questions = toRelationQuestions(sentence, sentence.entities, types)
    expect(questions.map((q) => [q.id, q.type, q.question, q.answers])).toEqual([
      ["d1:ADE-Drug:0-7", "ADE", "Which ADE is ADE-Drug of Aspirin?", [{ start: 21, end: 29 }, { start: 36, end: 40 }]],
      // The sentence's gold relations have no Dosage-Drug: the question has no answer.
      ["d1:Dosage-Drug:0-7", "Dosage", "What dose of Aspirin (Drug)?", []],
    ])
    expect(questions[0]).toMatchObject({ relation: "ADE-Drug", head: drug, sentenceId: "d1", context: text })
  })

  it("asks predicted heads too (no answers where the head is not gold), each distinct head once", () => {
    const predicted = [{ type: "Drug", start: 0, end: 6 }, { type: "Drug", start: 0, end: 6 }, { type: "ADE", start: 21, end: 29 }]
    const questions = toRelationQuestions(sentence, predicted, { "ADE-Drug": types["ADE-Drug"] }, "{relation}: {head}")
    expect(questions.map((q) => [q.question, q.answers])).toEqual([["ADE-Drug: Aspiri", []]])
    expect(relationTriples(questions[0]!, [{ type: "ADE", start: 21, end: 29 }])).toEqual([{ type: "ADE-Drug", head: predicted[0], tail: { type: "ADE", start: 21, end: 29 } }])
  })
})
