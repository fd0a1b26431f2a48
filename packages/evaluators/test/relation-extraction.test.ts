// relationMetrics against an independent reference written another way (triples as strings in
// sets, counts by filtering) on crafted cases, and against numbers worked out by hand.
import { describe, expect, it } from "vitest"
import { MetricInputError, relationMetrics, type RelationTriple } from "../src/index.ts"

const s = (type: string, start: number, end: number) => ({ type, start, end })
const r = (type: string, head: ReturnType<typeof s>, tail: ReturnType<typeof s>): RelationTriple => ({ type, head, tail })

/** The reference: each document's triples as a set of "type|head|tail" strings, scored by set intersection. */
const reference = (gold: ReadonlyArray<ReadonlyArray<RelationTriple>>, predicted: ReadonlyArray<ReadonlyArray<RelationTriple>>, only?: string) => {
  const text = (t: RelationTriple) => `${t.type}|${t.head.type}@${t.head.start}-${t.head.end}|${t.tail.type}@${t.tail.start}-${t.tail.end}`
  let [tp, np, ng] = [0, 0, 0]
  gold.forEach((g, doc) => {
    const goldStrings = new Set(g.filter((t) => only === undefined || t.type === only).map(text))
    const predictedStrings = new Set(predicted[doc]!.filter((t) => only === undefined || t.type === only).map(text))
    tp += [...predictedStrings].filter((x) => goldStrings.has(x)).length
    np += predictedStrings.size
    ng += goldStrings.size
  })
  const p = np === 0 ? 0 : tp / np
  const rec = ng === 0 ? 0 : tp / ng
  return { p, r: rec, f: p + rec === 0 ? 0 : (2 * p * rec) / (p + rec) }
}

// Two documents of drug-ADE relations in the n2c2 2018 shape.
const aspirin = s("Drug", 0, 7)
const bleeding = s("ADE", 16, 24)
const rash = s("ADE", 29, 33)
const dose = s("Dosage", 8, 13)
const gold = [
  [r("ADE-Drug", aspirin, bleeding), r("ADE-Drug", aspirin, rash), r("Dosage-Drug", aspirin, dose)],
  [r("ADE-Drug", s("Drug", 4, 12), s("ADE", 20, 28))],
]
const predicted = [
  [
    r("ADE-Drug", aspirin, bleeding), // correct
    r("ADE-Drug", aspirin, s("ADE", 29, 34)), // tail one character off
    r("ADE-Drug", aspirin, bleeding), // a repeat: counts once
    r("Dosage-Drug", s("Drug", 0, 6), dose), // head one character off
    r("Reason-Drug", aspirin, rash), // the right spans under the wrong relation
  ],
  [r("ADE-Drug", s("Drug", 4, 12), s("Dosage", 20, 28))], // the tail's span right, its type wrong
]

describe("relationMetrics", () => {
  it("counts a triple only when relation type, head and tail (type, start, end) all match", () => {
    const m = relationMetrics(gold, predicted)
    // Predicted distinct: 4 in document 0, 1 in document 1 = 5; gold 4; correct 1.
    // P = 1/5, R = 1/4, F = 2·1/(5+4) = 2/9.
    expect([m.correct, m.predicted, m.gold]).toEqual([1, 5, 4])
    expect(m.precision).toBeCloseTo(1 / 5, 12)
    expect(m.recall).toBeCloseTo(1 / 4, 12)
    expect(m.f1).toBeCloseTo(2 / 9, 12)
    // ADE-Drug: correct 1, predicted 3, gold 3 → F 2/6; Dosage-Drug: 0 of 1, gold 1; Reason-Drug: 0 of 1, gold 0.
    expect(Object.keys(m.perType)).toEqual(["ADE-Drug", "Dosage-Drug", "Reason-Drug"])
    expect(m.perType["ADE-Drug"]).toMatchObject({ correct: 1, predicted: 3, gold: 3 })
    expect(m.perType["ADE-Drug"]!.f1).toBeCloseTo(1 / 3, 12)
    expect(m.perType["Dosage-Drug"]).toEqual({ precision: 0, recall: 0, f1: 0, correct: 0, predicted: 1, gold: 1 })
    expect(m.perType["Reason-Drug"]).toEqual({ precision: 0, recall: 0, f1: 0, correct: 0, predicted: 1, gold: 0 })
  })

  it("equals the set-of-strings reference, overall and per relation type, on crafted and shuffled cases", () => {
    const cases: Array<[Array<Array<RelationTriple>>, Array<Array<RelationTriple>>]> = [
      [gold, predicted],
      [gold, gold],
      [gold, [[], []]],
      [[[], []], predicted],
      [[[]], [[]]],
      // Triples in another order, and a document whose triples belong to the other.
      [gold, [[...gold[0]!].reverse(), gold[0]!]],
    ]
    // And pseudo-random documents over a small pool of spans, so that matches and near misses both occur.
    let seed = 7
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    const pool = [aspirin, bleeding, rash, dose, s("Drug", 0, 6)]
    const randomDoc = () => Array.from({ length: next(5) }, () => r(["A", "B"][next(2)]!, pool[next(pool.length)]!, pool[next(pool.length)]!))
    for (let k = 0; k < 20; k++) {
      const docs = 1 + next(4)
      cases.push([Array.from({ length: docs }, randomDoc), Array.from({ length: docs }, randomDoc)])
    }
    for (const [g, p] of cases) {
      const m = relationMetrics(g, p)
      const ref = reference(g, p)
      expect([m.precision, m.recall, m.f1].map((x) => x.toFixed(12))).toEqual([ref.p, ref.r, ref.f].map((x) => x.toFixed(12)))
      for (const [type, scores] of Object.entries(m.perType)) expect(scores.f1.toFixed(12)).toBe(reference(g, p, type).f.toFixed(12))
    }
  })

  it("refuses unequal lengths, no documents and malformed spans", () => {
    expect(() => relationMetrics(gold, [[]])).toThrow(MetricInputError)
    expect(() => relationMetrics([], [])).toThrow(MetricInputError)
    expect(() => relationMetrics([[r("ADE-Drug", s("Drug", 5, 5), rash)]], [[]])).toThrow(/document 0, triple 0, head: expected integers 0 <= start < end/)
    expect(() => relationMetrics([[]], [[r("", aspirin, rash)]])).toThrow(/document 0, triple 0: expected a relation type/)
  })
})
