// Each span-extraction arm against the baseline on the same test sentences: a paired bootstrap
// over sentences of strict micro-F1 (recomputed from the drawn sentences' summed counts),
// Holm-adjusted across arms as for classification.
import { extractionMetrics } from "@peftlab/evaluators"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { fromSummedStatistics, pairedIndexBootstrap } from "@peftlab/stats"
import { withHolm } from "../comparisons.ts"
import type { ExtractionRow } from "./span-arm.ts"

/** One sentence's [correct, predicted, gold] span counts under strict match. */
export const sentenceCounts = (row: ExtractionRow): [number, number, number] => {
  const { correct, predicted, gold } = extractionMetrics([row.gold], [row.predicted])
  return [correct, predicted, gold]
}

/** Per sentence counts of `rows`, in `order`'s sentence order. */
const countsAlignedTo = (order: ReadonlyArray<ExtractionRow>, rows: ReadonlyArray<ExtractionRow>): Array<Array<number>> => {
  const byId = new Map(rows.map((r) => [r.id, r]))
  return order.map(({ id }) => {
    const row = byId.get(id)
    if (row === undefined) throw new Error(`arm extractions lack test sentence ${id}: arms were evaluated on different test sets`)
    return sentenceCounts(row)
  })
}

/** Strict micro-F1 from summed counts: 2·correct / (predicted + gold), 0 when there are none. */
const microF1 = ([correct = 0, predicted = 0, gold = 0]: ReadonlyArray<number>): number => (predicted + gold === 0 ? 0 : (2 * correct) / (predicted + gold))

export const compareExtractionsWithBaseline = (spec: ExperimentSpec, extractions: ReadonlyMap<string, ReadonlyArray<ExtractionRow>>): Array<Comparison> => {
  const baseline = spec.stats.baseline
  const base = extractions.get(baseline) ?? []
  if (base.length === 0) return []
  const comparisons = spec.arms
    .filter((arm) => arm.name !== baseline && extractions.has(arm.name))
    .map((arm) => ({
      arm: arm.name,
      baseline,
      n: base.length,
      bootstrap: pairedIndexBootstrap({
        n: base.length,
        B: spec.stats.bootstrap.B,
        seed: spec.stats.bootstrap.seed,
        metrics: {
          micro_f1: {
            a: fromSummedStatistics(countsAlignedTo(base, base), microF1),
            b: fromSummedStatistics(countsAlignedTo(base, extractions.get(arm.name) ?? []), microF1),
          },
        },
      }),
    }))
  return withHolm(comparisons)
}
