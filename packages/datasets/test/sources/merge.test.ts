import { describe, expect, it } from "vitest"
import { mergeSources, type LoadReport, type QAExample } from "../../src/index.ts"

const qa = (id: string, question: string): QAExample => ({ id, question, answer: `answer to ${question}`, metadata: { source: "x" } })
const report = (source: string, read: number, kept: number, dropped: Record<string, number>, skippedFiles?: Record<string, number>): LoadReport => ({
  source,
  read,
  kept,
  dropped,
  ...(skippedFiles ? { skippedFiles } : {}),
})

describe("mergeSources", () => {
  const medquad = { name: "medquad", examples: [qa("1_A/1#1", "What is A?"), qa("1_A/1#2", "How to treat A?")], report: report("/d/medquad", 5, 2, { "empty answer": 3 }, { "no <QAPairs> (root <doc>)": 1 }) }
  const other = { name: "other", examples: [qa("7", "What is B?")], report: report("/d/other.jsonl", 3, 1, { "empty answer": 1, "invalid JSON": 1 }) }

  it("keeps each example's source as dataset and prefixes ids with it, in source order", () => {
    const { examples } = mergeSources([medquad, other])
    expect(examples.map((e) => [e.id, e.dataset, e.question])).toEqual([
      ["medquad/1_A/1#1", "medquad", "What is A?"],
      ["medquad/1_A/1#2", "medquad", "How to treat A?"],
      ["other/7", "other", "What is B?"],
    ])
    expect(examples[2]?.metadata).toEqual({ source: "x" })
  })

  it("adds up the counts and keeps each source's report", () => {
    expect(mergeSources([medquad, other]).report).toEqual({
      source: "medquad + other",
      read: 8,
      kept: 3,
      dropped: { "empty answer": 4, "invalid JSON": 1 },
      skippedFiles: { "no <QAPairs> (root <doc>)": 1 },
      parts: [medquad.report, other.report],
    })
  })

  it("rejects a name used twice", () => {
    expect(() => mergeSources([medquad, { ...other, name: "medquad" }])).toThrow('mergeSources: source name "medquad" is used twice')
  })
})
