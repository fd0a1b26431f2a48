import { describe, expect, it } from "vitest"
import { expectedCalibrationError, MetricInputError } from "../src/index.ts"

describe("expectedCalibrationError (Guo et al. 2017, eq. 3; 10 equal-width bins)", () => {
  it("matches a hand-worked example, with confidences on bin edges in the lower bin", () => {
    // (0.9, 1]: 0.95 ✓, 0.91 ✗ → acc 0.5, conf 0.93, gap 0.43
    // (0.7, 0.8]: 0.8 ✓, 0.75 ✓ → acc 1, conf 0.775, gap 0.225
    // (0.5, 0.6]: 0.6 ✗, 0.55 ✓ → acc 0.5, conf 0.575, gap 0.075
    // ECE = 2/6 · (0.43 + 0.225 + 0.075) = 0.73/3.
    const c = expectedCalibrationError([0.95, 0.91, 0.8, 0.75, 0.6, 0.55], [true, false, true, true, false, true])
    expect(c.ece).toBeCloseTo(0.73 / 3, 12)
    expect(c.bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 2, 0, 2, 0, 2])
    expect(c.bins[7]).toMatchObject({ lower: 0.7, upper: 0.8, accuracy: 1 })
    expect(c.bins[7]!.confidence).toBeCloseTo(0.775, 12)
  })

  it("is 0 for calibrated predictions and |accuracy − mean confidence| with one bin", () => {
    const correct = Array.from({ length: 10 }, (_, i) => i < 7)
    expect(expectedCalibrationError(new Array<number>(10).fill(0.7), correct).ece).toBeCloseTo(0, 12)
    // one bin: accuracy 7/10, mean confidence 0.9 → 0.2
    expect(expectedCalibrationError(new Array<number>(10).fill(0.9), correct, 1).ece).toBeCloseTo(0.2, 12)
  })

  it("puts 0 in the first bin and 1 in the last", () => {
    const c = expectedCalibrationError([0, 1], [false, true], 4)
    expect(c.bins.map((b) => b.count)).toEqual([1, 0, 0, 1])
    expect(c.ece).toBe(0)
  })

  it("rejects confidences outside [0, 1], unequal lengths, no predictions and bad bin counts", () => {
    expect(() => expectedCalibrationError([1.2], [true])).toThrow(/index 0: expected a confidence in \[0, 1\], got 1.2/)
    expect(() => expectedCalibrationError([0.5], [])).toThrow(MetricInputError)
    expect(() => expectedCalibrationError([], [])).toThrow(MetricInputError)
    expect(() => expectedCalibrationError([0.5], [true], 0)).toThrow(MetricInputError)
  })
})
