import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadClassificationFile, loadQAFile, type ClassificationFileOptions, type QAFileOptions } from "../../src/index.ts"
import { writeTempFile } from "../fixtures.ts"

const reviews = [
  "id,review,sentiment,site",
  '1,"Great,  works\nwell",Positive,a',
  "2,Broke after a day,negative,b",
  "3,It is fine,neutral,a",
  '4,"Great, works well",positive,b',
  "5,   ,positive,a",
  "6,Love it, positive ,b",
].join("\r\n")

const classification = (text: string, options: Omit<ClassificationFileOptions, "fields"> = {}, name = "reviews.csv") =>
  Effect.runPromise(loadClassificationFile(writeTempFile(name, text), { fields: { id: "id", text: "review", label: "sentiment", metadata: ["site"] }, ...options }))

const failure = <A>(effect: Effect.Effect<A, { readonly source: string; readonly detail: string }>) => Effect.runPromise(Effect.flip(effect))

describe("loadClassificationFile", () => {
  it("maps fields, collapses whitespace, lowercases labels and counts what it drops", async () => {
    const { examples, report } = await classification(reviews)
    expect(examples).toEqual([
      { id: "1", question: "", context: "Great, works well", label: "positive", metadata: { site: "a" } },
      { id: "2", question: "", context: "Broke after a day", label: "negative", metadata: { site: "b" } },
      { id: "3", question: "", context: "It is fine", label: "neutral", metadata: { site: "a" } },
      { id: "6", question: "", context: "Love it", label: "positive", metadata: { site: "b" } },
    ])
    expect(report).toEqual({
      source: expect.stringMatching(/reviews\.csv$/),
      read: 6,
      kept: 4,
      dropped: { "empty text": 1, "duplicate (question, context)": 1 },
    })
  })

  it("keeps two of three classes and renames one, counting the dropped class by label", async () => {
    const { examples, report } = await classification(reviews, { renameLabels: { Positive: "yes", negative: "no" }, keepLabels: ["yes", "no"] })
    expect(examples.map((e) => [e.id, e.label])).toEqual([["1", "yes"], ["2", "no"], ["6", "yes"]])
    expect(report.dropped).toEqual({ "empty text": 1, 'label "neutral"': 1, "duplicate (question, context)": 1 })
  })

  it("keeps text as written when whitespace cleaning, empty checks and dedupe are off", async () => {
    const { examples } = await classification(reviews, { cleanWhitespace: false, dropEmpty: false, dedupe: false, lowercaseLabels: false })
    expect(examples.map((e) => e.context)).toEqual(["Great,  works\nwell", "Broke after a day", "It is fine", "Great, works well", "   ", "Love it"])
    expect(examples.map((e) => e.label)).toEqual(["Positive", "negative", "neutral", "positive", "positive", " positive "])
  })

  it("reads a TSV with a question column and ids from line numbers", async () => {
    const tsv = "premise\thypothesis\tlabel\nA man sleeps.\tA person rests.\tentailment\n"
    const { examples } = await Effect.runPromise(
      loadClassificationFile(writeTempFile("nli.tsv", tsv), { fields: { question: "hypothesis", text: "premise", label: "label" } }),
    )
    expect(examples).toEqual([{ id: "2", question: "A person rests.", context: "A man sleeps.", label: "entailment" }])
  })

  it("names the file, line and field of a malformed row, or skips and counts it when allowed", async () => {
    const jsonl = ['{"text": "ok", "label": 1}', '{"text": "no label"}', "{bad", '{"text": ["x"], "label": 0}', '{"text": "fine", "label": true}'].join("\n")
    const options = { fields: { text: "text", label: "label" } }
    const path = writeTempFile("rows.jsonl", jsonl)
    expect(await failure(loadClassificationFile(path, options))).toMatchObject({ source: path, detail: 'line 2, field "label": missing' })
    const { examples, report } = await Effect.runPromise(loadClassificationFile(path, { ...options, skipMalformed: true }))
    expect(examples.map((e) => [e.id, e.context, e.label])).toEqual([["1", "ok", "1"], ["5", "fine", "true"]])
    expect(report).toMatchObject({
      read: 5,
      kept: 2,
      dropped: { 'missing field "label"': 1, "invalid JSON": 1, 'field "text" not text': 1 },
    })
  })

  it("fails at once when the header lacks a mapped column, and on repeated ids", async () => {
    const missing = await failure(
      loadClassificationFile(writeTempFile("a.csv", "text,lbl\nx,y\n"), { fields: { text: "text", label: "label" } }),
    )
    expect(missing.detail).toBe('no column "label" in the header; it has "text", "lbl"')
    const repeated = await failure(
      loadClassificationFile(writeTempFile("b.csv", "id,text,label\na,x,y\na,z,y\n"), { fields: { id: "id", text: "text", label: "label" } }),
    )
    expect(repeated.detail).toBe('line 3, field "id": id "a" already used on line 2')
  })
})

describe("loadQAFile", () => {
  const squadLike = [
    '{"qid": "q1", "q": "Who wrote it?", "passage": "It was written by Ann.", "a": "Ann", "topic": "books"}',
    '{"qid": "q2", "q": "Who wrote it?", "passage": "It was written by Ann.", "a": "Ann", "topic": "books"}',
    '{"qid": "q3", "q": "When?", "passage": " ", "a": "1999", "topic": "dates"}',
    '{"qid": "q4", "q": "Where?", "passage": "In Oslo.", "a": "Oslo", "topic": 7}',
  ].join("\n")
  const fields: QAFileOptions["fields"] = { id: "qid", question: "q", context: "passage", answer: "a", metadata: ["topic"] }

  it("maps question, context and answer, keeps metadata and counts blanks and duplicates", async () => {
    const { examples, report } = await Effect.runPromise(loadQAFile(writeTempFile("qa.jsonl", squadLike), { fields }))
    expect(examples).toEqual([
      { id: "q1", question: "Who wrote it?", context: "It was written by Ann.", answer: "Ann", metadata: { topic: "books" } },
      { id: "q4", question: "Where?", context: "In Oslo.", answer: "Oslo", metadata: { topic: "7" } },
    ])
    expect(report).toMatchObject({ read: 4, kept: 2, dropped: { "empty context": 1, "duplicate (question, context, answer)": 1 } })
  })

  it("leaves context out when no field maps it", async () => {
    const csv = 'question,answer\nWhat is gout?,"A form of\narthritis."\n'
    const { examples } = await Effect.runPromise(loadQAFile(writeTempFile("qa.csv", csv), { fields: { question: "question", answer: "answer" } }))
    expect(examples).toEqual([{ id: "2", question: "What is gout?", answer: "A form of arthritis.", metadata: {} }])
  })
})
