// Expected calibration error (Guo, Pleiss, Sun and Weinberger 2017, "On calibration of modern
// neural networks", eq. 3): predictions binned by confidence into M equal-width bins
// ((m−1)/M, m/M], ECE = Σ_m |B_m|/n · |accuracy(B_m) − mean confidence(B_m)|.
import { MetricInputError } from "@peftlab/stats"

export interface CalibrationBin {
  readonly lower: number
  readonly upper: number
  readonly count: number
  /** Share of correct predictions in the bin (0 when empty). */
  readonly accuracy: number
  /** Mean confidence in the bin (0 when empty). */
  readonly confidence: number
}

export interface Calibration {
  readonly ece: number
  /** Every bin, empty ones included: a reliability diagram. */
  readonly bins: ReadonlyArray<CalibrationBin>
}

/** The bin of confidence c: m with m/M < c ≤ (m+1)/M; a confidence of exactly 0 joins the first bin. */
const binOf = (c: number, bins: number): number => {
  let m = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1))
  // c·M can round across a boundary; compare with the boundaries themselves.
  while (m > 0 && c <= m / bins) m--
  while (m < bins - 1 && c > (m + 1) / bins) m++
  return m
}

/**
 * ECE of predictions with `confidences` in [0, 1] (the predicted label's probability) and whether
 * each was `correct`. Throws `MetricInputError` on unequal lengths, no predictions, a confidence
 * outside [0, 1] or a bin count that is not a positive integer.
 */
export const expectedCalibrationError = (confidences: readonly number[], correct: readonly boolean[], bins = 10): Calibration => {
  if (confidences.length !== correct.length) {
    throw new MetricInputError({ source: "confidences", detail: `expected one confidence per prediction (${correct.length}), got ${confidences.length}` })
  }
  if (confidences.length === 0) throw new MetricInputError({ source: "confidences", detail: "no predictions to score" })
  if (!(Number.isInteger(bins) && bins > 0)) throw new MetricInputError({ source: "bins", detail: `expected a positive integer, got ${bins}` })
  const sums = Array.from({ length: bins }, () => ({ count: 0, correct: 0, confidence: 0 }))
  confidences.forEach((c, i) => {
    if (!(c >= 0 && c <= 1)) throw new MetricInputError({ source: "confidences", detail: `index ${i}: expected a confidence in [0, 1], got ${c}` })
    const bin = sums[binOf(c, bins)]!
    bin.count++
    bin.correct += correct[i] ? 1 : 0
    bin.confidence += c
  })
  const n = confidences.length
  const table = sums.map(
    (s, m): CalibrationBin => ({
      lower: m / bins,
      upper: (m + 1) / bins,
      count: s.count,
      accuracy: s.count === 0 ? 0 : s.correct / s.count,
      confidence: s.count === 0 ? 0 : s.confidence / s.count,
    }),
  )
  return { ece: table.reduce((sum, b) => sum + (b.count / n) * Math.abs(b.accuracy - b.confidence), 0), bins: table }
}
