import { describe, expect, it } from "vitest"
import { latencyStats, quantileSorted } from "../src/index.ts"

describe("latencyStats", () => {
  it("interpolates percentiles linearly between closest ranks", () => {
    // sorted 10,20,30,40,100: mean 200/5 = 40; p50 at h = 4·0.5 = 2 → 30;
    // p95 at h = 4·0.95 = 3.8 → 40 + 0.8·(100 − 40) = 88 (numpy.percentile gives the same).
    const s = latencyStats([40, 10, 100, 30, 20])
    expect(s.mean).toBeCloseTo(40, 12)
    expect(s.p50).toBeCloseTo(30, 12)
    expect(s.p95).toBeCloseTo(88, 12)
  })

  it("handles two values and one value", () => {
    // [1, 5]: p50 at h = 0.5 → 3; p95 at h = 0.95 → 1 + 0.95·4 = 4.8.
    expect(latencyStats([5, 1])).toEqual({ mean: 3, p50: 3, p95: expect.closeTo(4.8, 12) })
    expect(latencyStats([7])).toEqual({ mean: 7, p50: 7, p95: 7 })
    expect(() => latencyStats([])).toThrow(RangeError)
  })

  it("quantileSorted covers the ends and rejects q outside [0, 1]", () => {
    expect(quantileSorted([1, 2, 4], 0)).toBe(1)
    expect(quantileSorted([1, 2, 4], 1)).toBe(4)
    // h = 2·0.75 = 1.5 → 2 + 0.5·(4 − 2) = 3
    expect(quantileSorted([1, 2, 4], 0.75)).toBe(3)
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError)
  })
})
