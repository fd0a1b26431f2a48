import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { accuracy, bootstrapPValue, fromSummedStatistics, meanOfScores, pairedBootstrap, pairedIndexBootstrap } from "../src/index.ts"

// 150 examples with per-example scores in [0, 1]; B is better on average.
const n = 150
const scoresA = Array.from({ length: n }, (_, i) => ((i * 37) % 100) / 100)
const scoresB = scoresA.map((s, i) => Math.min(1, s + (i % 3 === 0 ? 0.3 : 0.05)))

describe("pairedIndexBootstrap", () => {
  it("is deterministic for a seed", () => {
    const run = (seed: number) =>
      pairedIndexBootstrap({ n, B: 300, seed, metrics: { score: { a: meanOfScores(scoresA), b: meanOfScores(scoresB) } } })
    expect(run(4)).toEqual(run(4))
    expect(run(4).score!.ci95).not.toEqual(run(5).score!.ci95)
  })

  it("agrees with the classification path on accuracy as a mean of per-example correctness", () => {
    // Same seed → same index draws; accuracy is correct/n either way, so the results are identical.
    const labels = ["yes", "no"]
    const gold = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? "yes" : "no"))
    const flip = (label: string) => (label === "yes" ? "no" : "yes")
    const predA = gold.map((g, i) => (i % 10 < 6 ? g : flip(g)))
    const predB = gold.map((g, i) => (i % 7 < 5 ? g : flip(g)))
    const correct = (pred: string[]) => pred.map((p, i) => (p === gold[i] ? 1 : 0))
    const viaLabels = pairedBootstrap({ gold, predA, predB, labels, B: 500, seed: 9, metrics: { accuracy } })
    const viaScores = pairedIndexBootstrap({
      n,
      B: 500,
      seed: 9,
      metrics: { accuracy: { a: meanOfScores(correct(predA)), b: meanOfScores(correct(predB)) } },
    })
    expect(viaScores).toEqual(viaLabels)
  })

  it("finds no difference between identical arms, for per-example and corpus metrics", () => {
    const counts = scoresA.map((s) => [Math.round(s * 10), 10])
    const ratio = (t: ReadonlyArray<number>) => (t[0] as number) / (t[1] as number)
    const r = pairedIndexBootstrap({
      n,
      B: 200,
      seed: 1,
      metrics: {
        mean: { a: meanOfScores(scoresA), b: meanOfScores([...scoresA]) },
        corpus: { a: fromSummedStatistics(counts, ratio), b: fromSummedStatistics(counts.map((c) => [...c]), ratio) },
      },
    })
    expect(r.mean).toEqual({ observed: 0, ci95: [0, 0], pValue: 1, B: 200 })
    expect(r.corpus).toEqual({ observed: 0, ci95: [0, 0], pValue: 1, B: 200 })
  })

  it("recovers a constant shift exactly, with the smallest p B resamples allow either way: 2/(B + 1), never 0", () => {
    // Every resample's difference is mean(a + c) − mean(a) = c (up to rounding, tolerance 1e-12).
    for (const shift of [0.25, -0.125]) {
      const r = pairedIndexBootstrap({
        n,
        B: 400,
        seed: 2,
        metrics: { shifted: { a: meanOfScores(scoresA), b: meanOfScores(scoresA.map((s) => s + shift)) } },
      }).shifted!
      expect(r.observed).toBeCloseTo(shift, 12)
      expect(r.ci95[0]).toBeCloseTo(shift, 12)
      expect(r.ci95[1]).toBeCloseTo(shift, 12)
      // No resample reaches 0 (hits = 0): p = 2·(0 + 1)/(400 + 1) (Davison and Hinkley 1997, eq. 4.11).
      expect(r.pValue).toBe(2 / 401)
    }
  })

  it("recomputes a corpus metric on each resample (enumerated two-example case)", () => {
    // Statistics (matched, total); metric Σmatched / Σtotal. A: (0, 1), (4, 4); B: (1, 1), (4, 4).
    // Full data: B 5/5 − A 4/5 = 0.2 (a mean of per-example ratios would give 0.5).
    // Draws, each with probability 1/4 or 1/2: (0,0) → 2/2 − 0/2 = 1; (0,1), (1,0) → 1 − 4/5 = 0.2;
    // (1,1) → 1 − 1 = 0. So P(diff ≤ 0) = 1/4, P(diff ≥ 0) = 1 → p = 0.5, and the 2.5 / 97.5 %
    // points lie inside the 25 % masses at 0 and 1. Tolerance on p: 5 SD of 2·√(0.25·0.75/20 000) ≈ 0.006.
    const ratio = (t: ReadonlyArray<number>) => (t[0] as number) / (t[1] as number)
    const r = pairedIndexBootstrap({
      n: 2,
      B: 20_000,
      seed: 3,
      metrics: { corpus: { a: fromSummedStatistics([[0, 1], [4, 4]], ratio), b: fromSummedStatistics([[1, 1], [4, 4]], ratio) } },
    }).corpus!
    expect(r.observed).toBeCloseTo(0.2, 12)
    expect(r.ci95).toEqual([0, 1])
    expect(Math.abs(r.pValue - 0.5)).toBeLessThan(0.03)
  })

  it("counts the observed data as a resample: p = min(1, 2·(hits + 1)/(B + 1))", () => {
    expect(bootstrapPValue(0, 999)).toBe(0.002)
    expect(bootstrapPValue(24, 999)).toBe(0.05)
    expect(bootstrapPValue(600, 999)).toBe(1)
    // n = 2, scores A (0, 1), B (1, 1): a draw's difference is 0 only for (1,1), so the hits are the
    // resamples that draw index 1 twice. Replaying the same seeded draws counts them independently.
    const B = 1000
    const r = pairedIndexBootstrap({ n: 2, B, seed: 5, metrics: { s: { a: meanOfScores([0, 1]), b: meanOfScores([1, 1]) } } }).s!
    const rng = Rng.seeded(5)
    let hits = 0
    for (let i = 0; i < B; i++) if (rng.int(2) + rng.int(2) === 2) hits++
    expect(hits).toBeGreaterThan(0)
    expect(r.pValue).toBe((2 * (hits + 1)) / (B + 1))
  })

  it("rejects no examples, a bad B and a metric that gives NaN", () => {
    const metrics = { score: { a: meanOfScores(scoresA), b: meanOfScores(scoresB) } }
    expect(() => pairedIndexBootstrap({ n: 0, B: 10, seed: 1, metrics })).toThrow(RangeError)
    expect(() => pairedIndexBootstrap({ n, B: 1.5, seed: 1, metrics })).toThrow("B must be a positive integer")
    // Σtotal is 0 whenever the draw holds only example 0: 0/0 on some resample, not on the full data.
    const ratio = (t: ReadonlyArray<number>) => (t[0] as number) / (t[1] as number)
    const zeroTotal = fromSummedStatistics([[0, 0], [1, 2]], ratio)
    expect(() => pairedIndexBootstrap({ n: 2, B: 50, seed: 1, metrics: { bleu: { a: zeroTotal, b: zeroTotal } } })).toThrow(
      /metric "bleu" gave a non-finite difference \(NaN\) on resample \d+/,
    )
  })
})

describe("index metrics", () => {
  it("meanOfScores averages the drawn scores, repeats counted", () => {
    expect(meanOfScores([1, 2, 4])([0, 0, 2])).toBe(2) // (1 + 1 + 4) / 3
  })

  it("fromSummedStatistics sums each statistic over the draw before scoring", () => {
    const totals: Array<ReadonlyArray<number>> = []
    const metric = fromSummedStatistics([[1, 10], [2, 20], [3, 30]], (t) => {
      totals.push([...t])
      return (t[0] as number) / (t[1] as number)
    })
    expect(metric([2, 0, 2])).toBeCloseTo(0.1, 15) // (3 + 1 + 3) / (30 + 10 + 30)
    expect(totals).toEqual([[7, 70]])
  })

  it("fromSummedStatistics rejects rows of different lengths", () => {
    expect(() => fromSummedStatistics([[1, 2], [3]], () => 0)).toThrow("example 1 has 1 statistics, example 0 has 2")
  })
})
