import { describe, expect, it } from "vitest"
import {
  decodeSpans,
  SpanEncodingError,
  spanQuestionEncoder,
  spansBySentence,
  type CharRange,
  type SpanQuestion,
  type SpanTokenizer,
} from "../src/spans/index.ts"

// A toy tokenizer, independent of wordRanges: lowercase ASCII words and single other
// characters, words longer than 5 characters cut into 4-character "subwords"; ids assigned
// on first sight, [CLS] = 1 and [SEP] = 2.
const toyTokenizer = (): SpanTokenizer => {
  const vocab = new Map<string, number>([["[CLS]", 1], ["[SEP]", 2]])
  const idOf = (piece: string) => vocab.get(piece) ?? (vocab.set(piece, vocab.size + 1), vocab.size)
  return {
    encode: (text) => {
      if (vocab.has(text)) return [vocab.get(text)!]
      const words = text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? []
      return words.flatMap((w) => (w.length > 5 ? (w.match(/.{1,4}/g) ?? []) : [w])).map(idOf)
    },
  }
}

const context = "Give hydrochlorothiazide, then aspirin."
const question = (answers: ReadonlyArray<CharRange>): SpanQuestion => ({
  id: "s1:drug",
  sentenceId: "s1",
  type: "drug",
  question: "Which drug?",
  context,
  answers,
})
const hctz = { start: 5, end: 24 }
const aspirin = { start: 31, end: 38 }
const ones = (n: number, at: ReadonlyArray<number>) => Array.from({ length: n }, (_, i) => (at.includes(i) ? 1 : 0))

describe("spanQuestionEncoder", () => {
  // Tokens: 0 [CLS] | 1 which 2 drug 3 ? | 4 [SEP] | 5 give | 6-10 hydr ochl orot hiaz ide |
  // 11 , | 12 then | 13-14 aspi rin | 15 . | 16 [SEP].
  it("encodes [CLS] question [SEP] sentence [SEP] with binary start and end targets for every answer", () => {
    const encoded = spanQuestionEncoder(toyTokenizer(), { maxLength: 64 })(question([hctz, aspirin]))
    expect(encoded.ids).toHaveLength(17)
    expect([encoded.ids[0], encoded.ids[4], encoded.ids[16]]).toEqual([1, 2, 2])
    expect(encoded.tokenTypeIds).toEqual([...ones(5, []), ...Array<number>(12).fill(1)])
    expect(encoded.startTargets).toEqual(ones(17, [6, 13]))
    expect(encoded.endTargets).toEqual(ones(17, [10, 14]))
    // Subwords share their word's characters; question and special tokens have none.
    expect(encoded.offsets.slice(5, 11)).toEqual([{ start: 0, end: 4 }, hctz, hctz, hctz, hctz, hctz])
    expect(encoded.offsets.slice(0, 5)).toEqual([null, null, null, null, null])
    expect(encoded.offsets[16]).toBeNull()
    expect([encoded.questionId, encoded.sentenceId, encoded.type, encoded.lostAnswers, encoded.widenedAnswers]).toEqual(["s1:drug", "s1", "drug", 0, 0])
  })

  it("cuts the sentence to maxLength and drops answers that lose a token, even partly", () => {
    // 15 tokens leave 15 - 5 - 1 = 9 sentence tokens: give .. then aspi; "rin" is cut.
    const encoded = spanQuestionEncoder(toyTokenizer(), { maxLength: 15 })(question([hctz, aspirin]))
    expect(encoded.ids).toHaveLength(15)
    expect(encoded.ids[14]).toBe(2)
    expect(encoded.startTargets).toEqual(ones(15, [6]))
    expect(encoded.endTargets).toEqual(ones(15, [10]))
    expect(encoded.lostAnswers).toBe(1)
    // The sentence's 11 tokens lost 2 ("rin" and "."): what the runner counts as a cut sentence.
    expect(encoded.truncatedTokens).toBe(2)
    expect(spanQuestionEncoder(toyTokenizer(), { maxLength: 64 })(question([hctz])).truncatedTokens).toBe(0)
  })

  it("marks whole words for a boundary inside a word, and counts answers no token touches as lost", () => {
    const encoded = spanQuestionEncoder(toyTokenizer(), { maxLength: 64 })(question([{ start: 7, end: 24 }, { start: 4, end: 5 }]))
    expect(encoded.startTargets).toEqual(ones(17, [6]))
    expect(encoded.endTargets).toEqual(ones(17, [10]))
    expect([encoded.widenedAnswers, encoded.lostAnswers]).toEqual([1, 1])
  })

  it("rejects a maxLength without room for the sentence and special tokens that are not one token", () => {
    const fails = (f: () => unknown, source: string, detail: RegExp) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(SpanEncodingError)
        expect((e as SpanEncodingError).source).toBe(source)
        expect((e as SpanEncodingError).detail).toMatch(detail)
        return
      }
      throw new Error("expected a SpanEncodingError")
    }
    fails(() => spanQuestionEncoder(toyTokenizer(), { maxLength: 5 })(question([])), "maxLength", /^5 leaves no room .* \(3 tokens\) and 3 special tokens$/)
    fails(() => spanQuestionEncoder(toyTokenizer(), { maxLength: 64, clsToken: "<s>" }), "tokenizer", /"<s>" to be one token, got ids \[\d+, \d+, \d+\]/)
  })
})

describe("decodeSpans", () => {
  // Tokens 0-1 are question tokens, 2-6 sentence words at 0..4, 5..9, 10..14, 15..19, 20..24.
  const offsets = [null, null, ...[0, 5, 10, 15, 20].map((start) => ({ start, end: start + 4 })), null]
  const encoded = { type: "drug", offsets }
  // Question token 1 scores high on both and must be ignored.
  const start = [0, 0.99, 0.9, 0, 0.7, 0.6, 0, 0]
  const end = [0, 0.99, 0, 0.8, 0, 0.9, 0.2, 0]
  const span = (s: number, e: number) => ({ type: "drug", start: s, end: e })

  it("pairs each start with the nearest end at or after it and drops overlaps by start × end probability", () => {
    // 2→3 (0..9, 0.72); 4→5 (10..19, 0.63); 5→5 (15..19, 0.54) overlaps 10..19 and loses.
    expect(decodeSpans(encoded, start, end)).toEqual([span(0, 9), span(10, 19)])
    // Padded score rows are fine: only the encoded tokens are read.
    expect(decodeSpans(encoded, [...start, 1, 1], [...end, 1, 1])).toEqual([span(0, 9), span(10, 19)])
  })

  it("applies the threshold strictly and the length limit in tokens", () => {
    expect(decodeSpans(encoded, start, end, { threshold: 0.75 })).toEqual([span(0, 9)])
    expect(decodeSpans(encoded, start, end, { threshold: 0.9 })).toEqual([]) // 0.9 is not above 0.9
    expect(decodeSpans(encoded, start, end, { maxSpanTokens: 1 })).toEqual([span(15, 19)])
  })

  it("prefers the better-scored of two overlapping spans over the earlier one", () => {
    // 2→4 (0..14, 0.6·0.9 = 0.54) vs 3→4 (5..14, 0.95·0.9 = 0.855).
    expect(decodeSpans(encoded, [0, 0, 0.6, 0.95, 0, 0, 0, 0], [0, 0, 0, 0, 0.9, 0, 0, 0])).toEqual([span(5, 14)])
  })

  it("reads logits through the sigmoid", () => {
    const logit = (p: number) => (p === 0 ? -30 : Math.log(p / (1 - p)))
    expect(decodeSpans(encoded, start.map(logit), end.map(logit), { logits: true })).toEqual([span(0, 9), span(10, 19)])
  })

  it("returns one span for subwords of one word", () => {
    const word = { start: 0, end: 9 }
    const subwords = { type: "drug", offsets: [null, word, word, { start: 10, end: 12 }] }
    expect(decodeSpans(subwords, [0, 0.9, 0.8, 0], [0, 0.9, 0.8, 0])).toEqual([span(0, 9)])
  })

  it("rejects fewer scores than tokens", () => {
    expect(() => decodeSpans(encoded, start.slice(1), end)).toThrow(/at least 8 start and end scores, got 7 and 8/)
  })
})

describe("spansBySentence", () => {
  it("gathers the spans of each sentence's questions, sorted and without repeats, in sentence order", () => {
    const drug = (start: number, end: number) => ({ type: "drug", start, end })
    const dose = { type: "dose", start: 0, end: 2 }
    const grouped = spansBySentence(
      [{ id: "a" }, { id: "b" }, { id: "c" }],
      [
        { sentenceId: "b", spans: [drug(5, 9)] },
        { sentenceId: "a", spans: [drug(4, 8), drug(0, 3)] },
        { sentenceId: "b", spans: [dose, drug(5, 9)] },
      ],
    )
    expect(grouped).toEqual([[drug(0, 3), drug(4, 8)], [dose, drug(5, 9)], []])
  })

  it("rejects unknown and repeated sentence ids", () => {
    expect(() => spansBySentence([{ id: "a" }], [{ sentenceId: "z", spans: [] }])).toThrow(/unknown sentence "z"/)
    expect(() => spansBySentence([{ id: "a" }, { id: "a" }], [])).toThrow(/distinct/)
  })
})
