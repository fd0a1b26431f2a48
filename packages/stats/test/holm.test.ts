import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { holmBonferroni } from "../src/index.ts"

describe("holmBonferroni", () => {
  it("matches the hand-worked four-hypothesis example", () => {
    // The worked example of Wikipedia's "Holm–Bonferroni method" article: p = (0.01, 0.04, 0.03, 0.005),
    // alpha 0.05. Sorted 0.005 ≤ 0.05/4 reject, 0.01 ≤ 0.05/3 reject, 0.03 > 0.05/2 stop: H1 and H4 rejected.
    // Adjusted (statsmodels convention): 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04
    // raised to 0.06 by the running maximum; back in input order (0.03, 0.06, 0.06, 0.02).
    const { adjusted, reject } = holmBonferroni([0.01, 0.04, 0.03, 0.005], 0.05)
    expect(reject).toEqual([true, false, false, true])
    ;[0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 15))
    // 0.04 ≤ alpha / 1 on its own, but the step-down already stopped at 0.03: not rejected.
  })

  it("caps adjusted values at 1 and gives ties the same adjusted value", () => {
    // Sorted: 3·0.4 = 1.2 → 1, 2·0.7 = 1.4 → 1, 1·0.9 = 0.9 → 1 by the running maximum.
    expect(holmBonferroni([0.9, 0.4, 0.7])).toEqual({ adjusted: [1, 1, 1], reject: [false, false, false], alpha: 0.05 })
    // Ties: 3·0.02 = 0.06 and 2·0.02 = 0.04 → 0.06 for both; 0.5 stays 0.5.
    const tied = holmBonferroni([0.02, 0.5, 0.02], 0.1)
    ;[0.06, 0.5, 0.06].forEach((expected, i) => expect(tied.adjusted[i]).toBeCloseTo(expected, 15))
    // alpha 0.1: 0.02 ≤ 0.1/3 and 0.02 ≤ 0.1/2 rejected, 0.5 > 0.1 kept.
    expect(tied.reject).toEqual([true, false, true])
    expect(holmBonferroni([0.02, 0.5, 0.02], 0.05).reject).toEqual([false, false, false]) // 0.02 > 0.05/3
  })

  it("leaves a single p-value unadjusted and accepts none", () => {
    expect(holmBonferroni([0.03])).toEqual({ adjusted: [0.03], reject: [true], alpha: 0.05 })
    expect(holmBonferroni([])).toEqual({ adjusted: [], reject: [], alpha: 0.05 })
  })

  it("rejects exactly the hypotheses whose adjusted p-value is at most alpha", () => {
    // The step-down comparisons and the adjusted values are computed separately; they must agree.
    const rng = Rng.seeded(5)
    for (let trial = 0; trial < 100; trial++) {
      const m = 1 + rng.int(8)
      const pValues = Array.from({ length: m }, () => rng.next() * 0.2)
      const alpha = [0.01, 0.05, 0.1][trial % 3] as number
      const { adjusted, reject } = holmBonferroni(pValues, alpha)
      expect(reject).toEqual(adjusted.map((p) => p <= alpha))
      // Monotone in the raw p-values and never below them.
      pValues.forEach((p, i) => {
        expect(adjusted[i]).toBeGreaterThanOrEqual(p)
        pValues.forEach((q, j) => {
          if (p <= q) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j] as number)
        })
      })
    }
  })

  it("rejects p-values outside [0, 1] and a bad alpha", () => {
    expect(() => holmBonferroni([0.1, Number.NaN])).toThrow("p-value 1 is NaN")
    expect(() => holmBonferroni([1.2])).toThrow(RangeError)
    expect(() => holmBonferroni([0.1], 0)).toThrow("alpha must be in (0, 1)")
  })
})
