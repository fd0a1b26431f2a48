// Ready-made index metrics for the paired bootstrap: the mean of per-example scores, and a
// corpus metric recomputed from per-example sufficient statistics summed over the draw.
import type { IndexMetric } from "./index-bootstrap.ts"

/** The mean of per-example scores (e.g. ROUGE-L F per example) over the drawn indices. */
export const meanOfScores = (scores: ArrayLike<number>): IndexMetric => (indices) => {
  let sum = 0
  for (const i of indices) sum += scores[i] as number
  return sum / indices.length
}

/**
 * A corpus metric over the drawn indices: each example contributes a vector of sufficient
 * statistics (e.g. BLEU's matched and total n-grams per order, hypothesis and reference
 * lengths); they are summed over the draw, repeats counted, and `fromTotals` turns the sums
 * into the score.
 */
export const fromSummedStatistics = (
  statistics: ReadonlyArray<ReadonlyArray<number>>,
  fromTotals: (totals: ReadonlyArray<number>) => number,
): IndexMetric => {
  const width = statistics[0]?.length ?? 0
  const ragged = statistics.findIndex((row) => row.length !== width)
  if (ragged >= 0) throw new RangeError(`fromSummedStatistics: example ${ragged} has ${statistics[ragged]?.length} statistics, example 0 has ${width}`)
  return (indices) => {
    const totals = new Array<number>(width).fill(0)
    for (const i of indices) {
      const row = statistics[i] as ReadonlyArray<number>
      for (let k = 0; k < width; k++) totals[k]! += row[k] as number
    }
    return fromTotals(totals)
  }
}
