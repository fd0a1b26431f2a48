import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { DataFileError } from "../src/data-file-error.ts"
import { bioChunks, isBioTag, loadBioSpans, loadJsonlSpans, type SpanSentence } from "../src/spans/index.ts"
import { writeTempFile } from "./fixtures.ts"

const loadBio = (text: string, options?: Parameters<typeof loadBioSpans>[1]) =>
  Effect.runPromise(loadBioSpans(writeTempFile("train.bio", text), options))
const loadJsonl = (text: string, options?: Parameters<typeof loadJsonlSpans>[1]) =>
  Effect.runPromise(loadJsonlSpans(writeTempFile("train.jsonl", text), options))
const failure = <A>(effect: Effect.Effect<A, DataFileError>) => Effect.runPromise(Effect.flip(effect))

const spanTexts = (s: SpanSentence) => s.entities.map((e) => [e.type, s.text.slice(e.start, e.end)])

describe("bioChunks", () => {
  it("reads IOB2: B- starts a chunk, I- of the same type continues it", () => {
    expect(bioChunks(["B-drug", "I-drug", "O", "B-dose", "B-dose", "I-dose"])).toEqual([
      { type: "drug", first: 0, last: 1 },
      { type: "dose", first: 3, last: 3 },
      { type: "dose", first: 4, last: 5 },
    ])
  })

  it("tolerates IOB1 like conlleval and seqeval's default mode: I- after O or another type starts a chunk", () => {
    // seqeval's README (github.com/chakki-works/seqeval, "strict mode"): for gold [B-NP, I-NP, O]
    // and prediction [I-NP, I-NP, O] the default (conlleval-compatible) report gives NP
    // precision = recall = 1.00, i.e. I-NP I-NP is read as the one chunk 0..1; only
    // mode='strict', scheme=IOB2 rejects it (0.00).
    expect(bioChunks(["I-NP", "I-NP", "O"])).toEqual(bioChunks(["B-NP", "I-NP", "O"]))
    expect(bioChunks(["I-NP", "I-NP", "O"])).toEqual([{ type: "NP", first: 0, last: 1 }])
    // IOB1 separates two adjacent chunks of one type with B-; I- of another type switches type.
    expect(bioChunks(["I-drug", "B-drug", "I-dose", "I-dose"])).toEqual([
      { type: "drug", first: 0, last: 0 },
      { type: "drug", first: 1, last: 1 },
      { type: "dose", first: 2, last: 3 },
    ])
  })

  it("rejects tags outside O / B-<type> / I-<type>", () => {
    expect(["O", "B-drug", "I-x_y"].every(isBioTag)).toBe(true)
    expect(["o", "B-", "S-drug", "B_drug", "drug"].some(isBioTag)).toBe(false)
    expect(() => bioChunks(["O", "E-drug"])).toThrow(/tag 1 is "E-drug"/)
  })
})

describe("loadBioSpans", () => {
  const file = [
    "-DOCSTART- -X- -X- O",
    "",
    "Aspirin NN B-NP B-drug",
    "81 CD B-NP B-dose",
    "mg NN I-NP I-dose",
    "daily RB B-ADVP O",
    ". . O O",
    "",
    "",
    "No\tO",
    "warfarin\tB-drug",
    "-DOCSTART-\tO",
    "Start\tO",
    "metoprolol\tI-drug",
  ].join("\r\n")

  it("joins tokens with single spaces and gives entities as character spans on that text", async () => {
    const { sentences, report } = await loadBio(file)
    expect(sentences.map((s) => [s.id, s.text])).toEqual([["3", "Aspirin 81 mg daily ."], ["10", "No warfarin"], ["13", "Start metoprolol"]])
    // "Aspirin" is 0..7, "81" 8..10, "mg" 11..13.
    expect(sentences[0]!.entities).toEqual([{ type: "drug", start: 0, end: 7 }, { type: "dose", start: 8, end: 13 }])
    expect(sentences.map(spanTexts)).toEqual([[["drug", "Aspirin"], ["dose", "81 mg"]], [["drug", "warfarin"]], [["drug", "metoprolol"]]])
    expect(report).toMatchObject({ read: 3, kept: 3, dropped: {} })
  })

  it("fails on a line without a tag or with a bad tag, naming the line", async () => {
    const missing = await failure(loadBioSpans(writeTempFile("a.bio", "Aspirin B-drug\nwarfarin\n")))
    expect(missing).toBeInstanceOf(DataFileError)
    expect(missing.source).toMatch(/a\.bio$/)
    expect(missing.detail).toBe('line 2: expected a token and a tag separated by whitespace, got "warfarin"')
    const bad = await failure(loadBioSpans(writeTempFile("b.bio", "x O\n\nAspirin S-drug\n")))
    expect(bad.detail).toBe('line 3: expected tag O, B-<type> or I-<type>, got "S-drug"')
    const absent = await failure(loadBioSpans("/nonexistent/c.bio"))
    expect([absent.source, absent.detail]).toEqual(["/nonexistent/c.bio", "file not found"])
  })

  it("with skipMalformed drops the sentences with a bad line and counts them by reason", async () => {
    const text = "a O\nb\n\nc B-x\n\nd S-x\n\ne O\nf X\n\ng B-y\n"
    const { sentences, report } = await loadBio(text, { skipMalformed: true })
    expect(sentences.map((s) => s.text)).toEqual(["c", "g"])
    expect(report).toMatchObject({ read: 5, kept: 2, dropped: { "line without a tag": 1, "invalid tag": 2 } })
  })
})

describe("loadJsonlSpans", () => {
  it("reads sentences with sorted entities, an id from the file or the line number, skipping blank lines", async () => {
    const lines = [
      JSON.stringify({ id: "s1", text: "Give aspirin and heparin.", entities: [{ start: 17, end: 24, type: "drug" }, { start: 5, end: 12, type: "drug" }] }),
      "",
      JSON.stringify({ text: "No drugs.", entities: [] }),
      JSON.stringify({ id: 7, text: "Pain.", entities: [{ start: 0, end: 4, type: "problem" }] }),
    ]
    const { sentences, report } = await loadJsonl(lines.join("\n") + "\n")
    expect(sentences.map((s) => s.id)).toEqual(["s1", "3", "7"])
    expect(spanTexts(sentences[0]!)).toEqual([["drug", "aspirin"], ["drug", "heparin"]])
    expect(sentences[1]!.entities).toEqual([])
    expect(report).toMatchObject({ read: 3, kept: 3, dropped: {} })
  })

  it("maps field names", async () => {
    const line = JSON.stringify({ sentence: "Start metformin.", spans: [{ begin: 6, stop: 15, label: "drug" }] })
    const { sentences } = await loadJsonl(line, { fields: { text: "sentence", entities: "spans", start: "begin", end: "stop", type: "label" } })
    expect(sentences).toEqual([{ id: "1", text: "Start metformin.", entities: [{ type: "drug", start: 6, end: 15 }] }])
  })

  it("fails on bad JSON, wrong fields and spans outside the text, naming the line and field", async () => {
    const good = JSON.stringify({ text: "ok", entities: [] })
    const detail = async (bad: string) => (await failure(loadJsonlSpans(writeTempFile("x.jsonl", `${good}\n${bad}\n`)))).detail
    expect(await detail("{oops")).toMatch(/^line 2: invalid JSON: /)
    expect(await detail(JSON.stringify({ entities: [] }))).toBe('line 2, field "text": Missing key')
    expect(await detail(JSON.stringify({ text: "ab", entities: [{ start: 0.5, end: 1, type: "x" }] }))).toBe(
      'line 2, field "entities"[0]["start"]: Expected an integer, got 0.5',
    )
    expect(await detail(JSON.stringify({ text: "abc", entities: [{ start: 0, end: 1, type: "x" }, { start: 2, end: 4, type: "x" }] }))).toBe(
      'line 2, field "entities"[1]: expected 0 <= start < end <= 3 (the text\'s length), got start 2, end 4',
    )
    expect(await detail(JSON.stringify({ text: "abc", entities: [{ start: 2, end: 2, type: "x" }] }))).toMatch(/got start 2, end 2$/)
  })

  it("with skipMalformed drops bad lines and counts them by reason", async () => {
    const lines = ["{oops", JSON.stringify({ text: 3, entities: [] }), JSON.stringify({ text: "a", entities: [{ start: 0, end: 5, type: "x" }] }), JSON.stringify({ text: "fine", entities: [] })]
    const { sentences, report } = await loadJsonl(lines.join("\n"), { skipMalformed: true })
    expect(sentences.map((s) => s.text)).toEqual(["fine"])
    expect(report).toMatchObject({ read: 4, kept: 1, dropped: { "invalid JSON": 1, "wrong fields": 1, "span outside the text": 1 } })
  })
})
