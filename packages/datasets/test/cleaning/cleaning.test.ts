import { describe, expect, it } from "vitest"
import { cleanExamples, cleanQAExamples, collapseWhitespace, type ClassificationExample, type QAExample } from "../../src/index.ts"
import { duplicateOf, keepCounting, sumCounts } from "../../src/cleaning/drop-counts.ts"

const example = (id: string, context: string, label: string): ClassificationExample => ({ id, question: "q", context, label })
const off = { dropLabels: [], lowercaseLabels: true, dedupe: false, dropEmpty: false }

describe("cleanExamples label options", () => {
  const raw = [example("1", "a", "Positive"), example("2", "b", "negative"), example("3", "c", " NEUTRAL"), example("4", "d", "pos")]

  it("renames after normalising both sides, then keeps only the listed labels", () => {
    const { examples, dropped } = cleanExamples(raw, { ...off, renameLabels: { POSITIVE: "Yes", pos: "yes", negative: "no" }, keepLabels: ["YES", "no"] })
    expect(examples.map((e) => [e.id, e.label])).toEqual([["1", "yes"], ["2", "no"], ["4", "yes"]])
    expect(dropped).toEqual({ 'label "neutral"': 1 })
  })

  it("drops renamed labels listed in dropLabels", () => {
    const { examples, dropped } = cleanExamples(raw, { ...off, renameLabels: { pos: "positive" }, dropLabels: ["Positive"] })
    expect(examples.map((e) => e.id)).toEqual(["2", "3"])
    expect(dropped).toEqual({ 'label "positive"': 2 })
  })
})

describe("cleanQAExamples", () => {
  const qa = (id: string, question: string, answer: string, context?: string): QAExample => ({
    id,
    question,
    answer,
    metadata: {},
    ...(context === undefined ? {} : { context }),
  })
  const raw = [
    qa("1", "Q1", "A1"),
    qa("2", "Q1", "A1"),
    qa("3", "Q1", "A1", "C"),
    qa("4", "Q1", "A1", "C"),
    qa("5", " ", "A"),
    qa("6", "Q", ""),
    qa("7", "Q", "A", "\t"),
    qa("8", "Q1", "A2"),
  ]

  it("drops blank fields first, then duplicates keyed with the context when there is one", () => {
    const { examples, dropped } = cleanQAExamples(raw, { dropEmpty: true, dedupe: true })
    expect(examples.map((e) => e.id)).toEqual(["1", "3", "8"])
    expect(dropped).toEqual({
      "duplicate (question, answer)": 1,
      "duplicate (question, context, answer)": 1,
      "empty question": 1,
      "empty answer": 1,
      "empty context": 1,
    })
  })

  it("keeps everything with both checks off", () => {
    expect(cleanQAExamples(raw, { dropEmpty: false, dedupe: false }).examples).toEqual(raw)
  })
})

describe("collapseWhitespace", () => {
  it("turns every run of spaces, tabs, newlines and no-break spaces into one space and trims", () => {
    expect(collapseWhitespace("  Key Points\n\t\t- a \u00a0 b\r\n ")).toBe("Key Points - a b")
    expect(collapseWhitespace(" \n ")).toBe("")
    expect(collapseWhitespace("a b\tc\n\nd")).toBe("a b c d")
  })
})

describe("drop counting", () => {
  it("keeps items in order and counts the rest by reason", () => {
    const { kept, dropped } = keepCounting([1, 2, 3, 4, 5, 6], (n) => (n % 3 === 0 ? "three" : n % 2 === 0 ? "even" : undefined))
    expect(kept).toEqual([1, 5])
    expect(dropped).toEqual({ even: 2, three: 2 })
  })

  it("sums reason tables", () => {
    expect(sumCounts([{ a: 1, b: 2 }, {}, { b: 3, c: 4 }])).toEqual({ a: 1, b: 5, c: 4 })
  })

  it("objects to each repeat of a key, not to its first occurrence", () => {
    const duplicate = duplicateOf((s: string) => s.toLowerCase(), (s) => `repeat of ${s.toLowerCase()}`)
    expect(["a", "A", "b", "a"].map(duplicate)).toEqual([undefined, "repeat of a", undefined, "repeat of a"])
  })
})
