import { describe, expect, it } from "vitest"
import { accuracy, macroF1, pairedBootstrap } from "../src/index.ts"

const labels = ["yes", "no"]
// 200 examples, alternating gold labels; A is right on i mod 10 < 6, B on i mod 10 < 9.
const gold = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? "yes" : "no"))
const flip = (label: string) => (label === "yes" ? "no" : "yes")
const predA = gold.map((g, i) => (i % 10 < 6 ? g : flip(g)))
const predB = gold.map((g, i) => (i % 10 < 9 ? g : flip(g)))

describe("pairedBootstrap", () => {
  it("is deterministic for a seed", () => {
    const run = (seed: number) => pairedBootstrap({ gold, predA, predB, labels, B: 300, seed, metrics: { accuracy, macroF1 } })
    expect(run(11)).toEqual(run(11))
    expect(run(11).accuracy!.ci95).not.toEqual(run(12).accuracy!.ci95)
  })

  it("finds no difference between identical predictions", () => {
    const r = pairedBootstrap({ gold, predA, predB: [...predA], labels, B: 200, seed: 1, metrics: { accuracy, macroF1 } })
    for (const name of ["accuracy", "macroF1"]) {
      expect(r[name]).toEqual({ observed: 0, ci95: [0, 0], pValue: 1, B: 200 })
    }
  })

  it("puts the interval of a clearly better B above 0, near the normal approximation", () => {
    // Per example B − A is 1 on the 30 % where only B is right, else 0: mean 0.3,
    // SE √(0.3·0.7/200) = 0.0324, so the 95 % interval ≈ 0.3 ± 1.96·0.0324 = [0.2365, 0.3635].
    // Tolerance 0.015: three resolution steps (1/200) of the resampled accuracies.
    const r = pairedBootstrap({ gold, predA, predB, labels, B: 4000, seed: 7, metrics: { accuracy } }).accuracy!
    expect(r.observed).toBeCloseTo(0.3, 12)
    expect(r.ci95[0]).toBeGreaterThan(0)
    expect(Math.abs(r.ci95[0] - 0.2365)).toBeLessThan(0.015)
    expect(Math.abs(r.ci95[1] - 0.3635)).toBeLessThan(0.015)
    expect(r.pValue).toBeLessThan(0.001)
  })

  it("matches the enumerated resampling distribution of a two-example case", () => {
    // gold (yes, no); A predicts (no, no) → right on example 1 only; B (yes, no) → right on both.
    // The 4 equally likely index draws: (0,0) → B − A = 1 − 0 = 1; (0,1), (1,0) → 1 − 0.5 = 0.5;
    // (1,1) → 1 − 1 = 0. So P(diff ≤ 0) = 1/4, P(diff ≥ 0) = 1 → p = 2·1/4 = 0.5,
    // and the 2.5 / 97.5 % points lie inside the 25 % masses at 0 and at 1.
    // With B = 20 000 the p-value's standard deviation is 2·√(0.25·0.75/20 000) ≈ 0.006: tolerance 0.03.
    const r = pairedBootstrap({
      gold: ["yes", "no"],
      predA: ["no", "no"],
      predB: ["yes", "no"],
      labels,
      B: 20_000,
      seed: 3,
      metrics: { accuracy, correctB: (g, p) => p.filter((x, i) => x === g[i]).length },
    })
    expect(r.accuracy!.observed).toBeCloseTo(0.5, 12)
    expect(r.accuracy!.ci95).toEqual([0, 1])
    expect(Math.abs(r.accuracy!.pValue - 0.5)).toBeLessThan(0.03)
    // A two-argument metric works too: B − A in correct counts is 1, 1 or 0 ↔ p = 2·P(draw (1,1)) ≈ 0.5.
    expect(r.correctB!.observed).toBe(1)
    expect(Math.abs(r.correctB!.pValue - 0.5)).toBeLessThan(0.03)
  })

  it("rejects unpaired inputs, no examples and a bad B", () => {
    const base = { gold, predA, predB, labels, seed: 1, metrics: { accuracy } }
    expect(() => pairedBootstrap({ ...base, predB: predB.slice(1), B: 10 })).toThrow(RangeError)
    expect(() => pairedBootstrap({ ...base, gold: [], predA: [], predB: [], B: 10 })).toThrow(RangeError)
    expect(() => pairedBootstrap({ ...base, B: 0 })).toThrow(RangeError)
  })
})
