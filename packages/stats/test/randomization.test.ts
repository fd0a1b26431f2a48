// Approximate randomization against the exact randomization test: on 12 examples every one of
// the 2^12 swap patterns can be enumerated, which gives the p-value the shuffles estimate.
import { describe, expect, it } from "vitest"
import { accuracy, approximateRandomization, macroF1, pairedRandomization, randomizationPValue, type PairedStatistics } from "../src/index.ts"

const n = 12
// Per-sentence span counts [matched, predicted, gold]; F1 = 2·matched / (predicted + gold).
const gold12 = [3, 2, 4, 1, 2, 3, 5, 2, 1, 3, 2, 4]
const gold = gold12
const spansA = gold.map((g, i) => [g - (i % 2 === 0 ? 1 : 0), g + (i % 3 === 0 ? 1 : 0), g])
const spansB = gold.map((g, i) => [g - (i % 5 === 0 ? 1 : 0), g, g])
const f1: PairedStatistics["fromTotals"] = ([matched, predicted, goldTotal]) => (2 * matched!) / (predicted! + goldTotal!)
const spanF1: PairedStatistics = { a: spansA, b: spansB, fromTotals: f1 }

/** The exact randomization p-value: the share of all 2^n swap patterns reaching |observed| (the identity among them). */
const exactPValue = ({ a, b, fromTotals }: PairedStatistics): number => {
  const score = (rows: ReadonlyArray<ReadonlyArray<number>>) => fromTotals(rows.reduce((sum, row) => sum.map((s, k) => s + row[k]!), [0, 0, 0]))
  const observed = Math.abs(score(b) - score(a))
  let reached = 0
  for (let mask = 0; mask < 2 ** n; mask++) {
    const swapped = (i: number) => (mask >> i) & 1
    const d = score(a.map((row, i) => (swapped(i) ? b[i]! : row))) - score(b.map((row, i) => (swapped(i) ? a[i]! : row)))
    if (Math.abs(d) >= observed - 1e-12) reached++
  }
  return reached / 2 ** n
}

describe("approximateRandomization", () => {
  it("estimates the exact randomization p-value of a span F1 difference", () => {
    const exact = exactPValue(spanF1)
    expect(exact).toBeGreaterThan(0.01) // a p-value worth estimating, not one pinned at its floor
    expect(exact).toBeLessThan(0.5)
    const { observed, pValue, R } = approximateRandomization({ R: 20_000, seed: 3, metrics: { f1: spanF1 } }).f1!
    expect(observed).toBeCloseTo(f1([29, 32, 32]) - f1([26, 36, 32]), 12)
    expect(R).toBe(20_000)
    // Binomial standard error at p ≈ exact with 20 000 shuffles is below 0.0036: 4 of them.
    expect(Math.abs(pValue - exact)).toBeLessThan(0.015)
  })

  it("gives p = 1 for two arms with the same outputs, and the floor 1/(R + 1) when no shuffle reaches the difference", () => {
    expect(approximateRandomization({ R: 99, seed: 1, metrics: { f1: { a: spansA, b: spansA, fromTotals: f1 } } }).f1).toEqual({ observed: 0, pValue: 1, R: 99 })
    expect(randomizationPValue(0, 99)).toBe(0.01)
    // One example: swapping it reverses the sign only, so every shuffle reaches |observed|.
    expect(approximateRandomization({ R: 9, seed: 1, metrics: { acc: { a: [[0, 1]], b: [[1, 1]], fromTotals: ([c, t]) => c! / t! } } }).acc!.pValue).toBe(1)
  })

  it("is deterministic for a seed, and each metric's p-value does not depend on the others", () => {
    const accuracy: PairedStatistics = { a: spansA.map(([m, , g]) => [m === g ? 1 : 0, 1]), b: spansB.map(([m, , g]) => [m === g ? 1 : 0, 1]), fromTotals: ([c, t]) => c! / t! }
    const alone = approximateRandomization({ R: 500, seed: 7, metrics: { f1: spanF1 } })
    const both = approximateRandomization({ R: 500, seed: 7, metrics: { accuracy, f1: spanF1 } })
    expect(both.f1).toEqual(alone.f1)
    expect(approximateRandomization({ R: 500, seed: 7, metrics: { f1: spanF1 } })).toEqual(alone)
    // Other seeds draw other shuffles (two may still count the same number by chance).
    expect(new Set([7, 8, 9, 10].map((seed) => approximateRandomization({ R: 500, seed, metrics: { f1: spanF1 } }).f1!.pValue)).size).toBeGreaterThan(1)
  })

  it("refuses mismatched or ragged statistics and a bad R", () => {
    expect(() => approximateRandomization({ R: 10, seed: 1, metrics: { f1: { ...spanF1, b: spansB.slice(1) } } })).toThrow('metric "f1" has 12 examples for arm a and 11 for arm b')
    expect(() => approximateRandomization({ R: 10, seed: 1, metrics: { f1: { ...spanF1, b: [[1], ...spansB.slice(1)] } } })).toThrow("rows of 3 statistics and a row of 1")
    expect(() => approximateRandomization({ R: 0, seed: 1, metrics: {} })).toThrow("R must be a positive integer, got 0")
  })
})

describe("pairedRandomization", () => {
  const labels = ["yes", "no"]
  const gold = gold12.map((g) => (g % 2 === 0 ? "yes" : "no"))
  const flip = (label: string) => (label === "yes" ? "no" : "yes")
  const predA = gold.map((g, i) => (i % 3 === 0 ? flip(g) : g))
  const predB = gold.map((g, i) => (i % 5 === 0 ? flip(g) : g))

  it("equals the statistics form on accuracy (a correct flag and a count per example), shuffle for shuffle", () => {
    const viaLabels = pairedRandomization({ gold, predA, predB, labels, R: 2000, seed: 5, metrics: { accuracy } }).accuracy!
    const correct = (pred: string[]) => pred.map((p, i) => [p === gold[i] ? 1 : 0, 1])
    const viaStatistics = approximateRandomization({ R: 2000, seed: 5, metrics: { accuracy: { a: correct(predA), b: correct(predB), fromTotals: ([c, t]) => c! / t! } } }).accuracy!
    expect(viaLabels.observed).toBeCloseTo(viaStatistics.observed, 12)
    expect(viaLabels.pValue).toBe(viaStatistics.pValue)
    expect(viaLabels.observed).toBeCloseTo(1 / 12, 12) // 4 wrong vs 3 wrong of 12
  })

  it("scores macro-F1 as the classification metric computes it", () => {
    const { observed } = pairedRandomization({ gold, predA, predB, labels, R: 10, seed: 1, metrics: { macro_f1: macroF1 } }).macro_f1!
    expect(observed).toBeCloseTo(macroF1(gold, predB, labels) - macroF1(gold, predA, labels), 12)
    expect(() => pairedRandomization({ gold, predA: predA.slice(1), predB, labels, R: 10, seed: 1, metrics: { accuracy } })).toThrow("expected 12 predictions per arm, got 11 (A) and 12 (B)")
  })
})
