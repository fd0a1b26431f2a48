import { describe, expect, it } from "vitest"
import { logBinomialHalfCdf, logGamma, mcnemarExact } from "../src/index.ts"

/** Paired correctness with `b` A-only, `c` B-only, `both` shared right and `neither` shared wrong answers. */
const pairs = (b: number, c: number, both = 0, neither = 0) => ({
  a: [...Array(b).fill(true), ...Array(c).fill(false), ...Array(both).fill(true), ...Array(neither).fill(false)],
  b: [...Array(b).fill(false), ...Array(c).fill(true), ...Array(both).fill(true), ...Array(neither).fill(false)],
})

describe("mcnemarExact", () => {
  it("matches hand-computed exact p-values", () => {
    // b=1, c=5: n=6, P(X ≤ 1) = (1 + 6)/64 → p = 14/64 = 0.21875.
    const p15 = pairs(1, 5, 7, 3)
    expect(mcnemarExact(p15.a, p15.b)).toEqual({ b: 1, c: 5, n: 6, pValue: expect.closeTo(0.21875, 14) })
    // b=0, c=6: P(X = 0) = 1/64 → p = 2/64 = 0.03125.
    const p06 = pairs(0, 6)
    expect(mcnemarExact(p06.a, p06.b).pValue).toBeCloseTo(0.03125, 14)
    // b = c: P(X ≤ n/2) > 1/2, so p caps at 1.
    const p44 = pairs(4, 4, 2)
    expect(mcnemarExact(p44.a, p44.b).pValue).toBe(1)
  })

  it("gives p = 1 when no example is discordant", () => {
    const same = pairs(0, 0, 5, 5)
    expect(mcnemarExact(same.a, same.b)).toEqual({ b: 0, c: 0, n: 0, pValue: 1 })
  })

  it("agrees with scipy.stats.binomtest up to n = 100 000", () => {
    // References: scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue; relative tolerance 1e-9.
    const cases: ReadonlyArray<readonly [number, number, number]> = [
      [10, 25, 0.016673847800120715],
      [560, 480, 0.014259079095385853],
      [49_500, 50_500, 0.0015823598788515154],
    ]
    for (const [b, c, expected] of cases) {
      const { a, b: bb } = pairs(b, c)
      const { pValue } = mcnemarExact(a, bb)
      expect(Math.abs(pValue - expected) / expected).toBeLessThan(1e-9)
    }
  })

  it("rejects unpaired inputs", () => {
    expect(() => mcnemarExact([true], [true, false])).toThrow(RangeError)
  })
})

describe("binomial tail in log space", () => {
  it("keeps tails far below the smallest double", () => {
    // References: log(Σ_{i ≤ k} C(n, i)) − n·log 2 with Python's exact integers; absolute tolerance 1e-8.
    expect(logBinomialHalfCdf(100, 100_000)).toBeCloseTo(-68527.21339999649, 8)
    expect(logBinomialHalfCdf(49_500, 100_000)).toBeCloseTo(-7.141985132591799, 8)
    expect(logBinomialHalfCdf(10, 35)).toBeCloseTo(-4.787060967571765, 12)
    expect(logBinomialHalfCdf(0, 1)).toBeCloseTo(-Math.LN2, 14)
    // exp underflows only at the very end: 2·exp(−68527) is 0 as a double.
    const far = pairs(100, 99_900)
    expect(mcnemarExact(far.a, far.b).pValue).toBe(0)
  })

  it("logGamma matches scipy.special.gammaln", () => {
    expect(logGamma(1)).toBeCloseTo(0, 14)
    expect(logGamma(10)).toBeCloseTo(12.801827480081469, 12) // log 9! = log 362880
    expect(Math.abs(logGamma(100_001) - 1051299.2218991218) / 1051299.2218991218).toBeLessThan(1e-14)
  })
})
