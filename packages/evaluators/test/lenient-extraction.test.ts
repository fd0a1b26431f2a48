// Lenient span scores on crafted sentences whose counts are worked out by hand in the comments.
import { describe, expect, it } from "vitest"
import { extractionMetrics, lenientExtractionMetrics, MetricInputError, type TypedSpan } from "../src/index.ts"

const span = (type: string, start: number, end: number): TypedSpan => ({ type, start, end })

describe("lenientExtractionMetrics", () => {
  it("counts a prediction found when it overlaps a gold span of its type, and a gold span found when one overlaps it", () => {
    const gold = [
      [span("Drug", 0, 7), span("ADE", 20, 28)], // "aspirin … bleeding"
      [span("Drug", 3, 12), span("Drug", 14, 20)], // two drugs side by side
      [span("Dosage", 5, 10)],
    ]
    const predicted = [
      [span("Drug", 0, 5), span("ADE", 27, 35)], // both overlap their gold span by some characters
      [span("Drug", 0, 20)], // one long prediction over both gold drugs
      [span("Dosage", 10, 12), span("Drug", 5, 10)], // touches [5, 10) only at its end: no overlap; Drug is the wrong type
    ]
    const m = lenientExtractionMetrics(gold, predicted)
    // Found predictions: Drug(0,5), ADE(27,35), Drug(0,20) = 3 of 5; found gold: Drug, ADE, Drug, Drug = 4 of 5.
    expect([m.foundPredicted, m.predicted, m.foundGold, m.gold]).toEqual([3, 5, 4, 5])
    expect(m.precision).toBeCloseTo(0.6, 15)
    expect(m.recall).toBeCloseTo(0.8, 15)
    expect(m.f1).toBeCloseTo((2 * 0.6 * 0.8) / 1.4, 15)
    expect(m.perType).toEqual({
      ADE: { precision: 1, recall: 1, f1: 1, foundPredicted: 1, foundGold: 1, predicted: 1, gold: 1 },
      Dosage: { precision: 0, recall: 0, f1: 0, foundPredicted: 0, foundGold: 0, predicted: 1, gold: 1 },
      // Predictions Drug(0,5), Drug(0,20) found, Drug(5,10) in sentence 2 overlaps no gold Drug there: 2/3; gold 3/3.
      Drug: { precision: 2 / 3, recall: 1, f1: 0.8, foundPredicted: 2, foundGold: 3, predicted: 3, gold: 3 },
    })
    // Strict scoring finds none of these boundaries.
    expect(extractionMetrics(gold, predicted).correct).toBe(0)
  })

  it("equals strict scoring when every prediction either matches exactly or overlaps nothing", () => {
    const gold = [[span("Drug", 0, 4), span("ADE", 10, 15)], [span("Drug", 2, 6)]]
    const predicted = [[span("Drug", 0, 4), span("ADE", 30, 35)], [span("Drug", 2, 6), span("Drug", 2, 6)]]
    const strict = extractionMetrics(gold, predicted)
    const lenient = lenientExtractionMetrics(gold, predicted)
    expect([lenient.precision, lenient.recall, lenient.f1]).toEqual([strict.precision, strict.recall, strict.f1])
  })

  it("scores 0 with no spans, and refuses what strict scoring refuses", () => {
    expect(lenientExtractionMetrics([[]], [[]])).toEqual({ precision: 0, recall: 0, f1: 0, foundPredicted: 0, foundGold: 0, predicted: 0, gold: 0, perType: {} })
    expect(() => lenientExtractionMetrics([[]], [])).toThrow(MetricInputError)
    expect(() => lenientExtractionMetrics([[span("Drug", 4, 4)]], [[]])).toThrow("sentence 0, span 0: expected integers 0 <= start < end, got start 4, end 4")
  })
})
