import { describe, expect, it } from "vitest"
import { entityTypes, sentenceSubset, toSpanQuestions, wordRanges, type SpanSentence } from "../src/spans/index.ts"

const sentences: Array<SpanSentence> = [
  {
    id: "s1",
    text: "Give aspirin and heparin for pain.",
    entities: [
      { type: "drug", start: 5, end: 12 },
      { type: "drug", start: 17, end: 24 },
      { type: "drug", start: 17, end: 24 },
      { type: "problem", start: 29, end: 33 },
    ],
  },
  { id: "s2", text: "No complaints.", entities: [] },
]

describe("toSpanQuestions", () => {
  it("asks every type of every sentence, with all gold spans of the type as answers", () => {
    const questions = toSpanQuestions(sentences, ["drug", "problem"], { questions: { drug: "Which drugs are mentioned?" } })
    expect(questions.map((q) => [q.id, q.sentenceId, q.type, q.question])).toEqual([
      ["s1:drug", "s1", "drug", "Which drugs are mentioned?"],
      ["s1:problem", "s1", "problem", "Which problem entities are mentioned?"],
      ["s2:drug", "s2", "drug", "Which drugs are mentioned?"],
      ["s2:problem", "s2", "problem", "Which problem entities are mentioned?"],
    ])
    // The repeated heparin span is one answer; s2 has none.
    expect(questions.map((q) => q.answers)).toEqual([
      [{ start: 5, end: 12 }, { start: 17, end: 24 }],
      [{ start: 29, end: 33 }],
      [],
      [],
    ])
    expect(questions.every((q, i) => q.context === sentences[i < 2 ? 0 : 1]!.text)).toBe(true)
  })

  it("fills {type} in a custom template and never reads a question from Object.prototype", () => {
    const [q] = toSpanQuestions([sentences[1]!], ["constructor"], { template: "Find {type} ({type})." })
    expect(q!.question).toBe("Find constructor (constructor).")
  })

  it("lists the types found, sorted", () => {
    expect(entityTypes(sentences)).toEqual(["drug", "problem"])
  })
})

describe("wordRanges", () => {
  it("splits like BERT's basic tokenizer: whitespace, each punctuation character alone, ASCII symbols included", () => {
    const text = "Metoprolol 25mg b.i.d., $5 naïve"
    expect(wordRanges(text).map((r) => text.slice(r.start, r.end))).toEqual(["Metoprolol", "25mg", "b", ".", "i", ".", "d", ".", ",", "$", "5", "naïve"])
    expect(wordRanges("  a\u2014b\t")).toEqual([{ start: 2, end: 3 }, { start: 3, end: 4 }, { start: 4, end: 5 }]) // em dash is Unicode Pd
  })
})

describe("sentenceSubset", () => {
  const many: Array<SpanSentence> = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, text: `t${i}`, entities: [] }))

  it("draws min(n, all) distinct sentences, the same for the same seed", () => {
    const a = sentenceSubset(many, 10, 7)
    expect(a).toHaveLength(10)
    expect(new Set(a.map((s) => s.id)).size).toBe(10)
    expect(a.every((s) => many.includes(s))).toBe(true)
    expect(sentenceSubset(many, 10, 7)).toEqual(a)
    expect(sentenceSubset(many, 10, 8).map((s) => s.id)).not.toEqual(a.map((s) => s.id))
    expect(sentenceSubset(many, 100, 7)).toHaveLength(50)
    // A larger subset with the same seed extends the smaller one: one shuffle, cut at n.
    expect(sentenceSubset(many, 20, 7).slice(0, 10)).toEqual(a)
  })

  it("rejects a negative or fractional n", () => {
    expect(() => sentenceSubset(many, -1, 1)).toThrow(RangeError)
    expect(() => sentenceSubset(many, 2.5, 1)).toThrow(/non-negative integer/)
  })
})
