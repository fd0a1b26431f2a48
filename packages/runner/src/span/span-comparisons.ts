// Each span-extraction arm against the baseline on the same test sentences: a paired bootstrap
// over sentences of strict micro-F1 (recomputed from the drawn sentences' summed counts),
// Holm-adjusted across arms as for classification.
import { extractionMetrics } from "@peftlab/evaluators"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { fromSummedStatistics } from "@peftlab/stats"
import { bootstrapOf, compareEachArm } from "../comparisons.ts"
import type { ExtractionRow } from "./extraction-row.ts"

/** One sentence's [correct, predicted, gold] span counts under strict match. */
export const sentenceCounts = (row: ExtractionRow): [number, number, number] => {
  const { correct, predicted, gold } = extractionMetrics([row.gold], [row.predicted])
  return [correct, predicted, gold]
}

/** Strict micro-F1 from summed counts: 2·correct / (predicted + gold), 0 when there are none. */
const microF1 = ([correct = 0, predicted = 0, gold = 0]: ReadonlyArray<number>): number => (predicted + gold === 0 ? 0 : (2 * correct) / (predicted + gold))

export const compareExtractionsWithBaseline = (spec: ExperimentSpec, extractions: ReadonlyMap<string, ReadonlyArray<ExtractionRow>>): Array<Comparison> =>
  compareEachArm(spec, extractions, (base, other) =>
    bootstrapOf(spec, base.length, "micro_f1", { a: fromSummedStatistics(base.map(sentenceCounts), microF1), b: fromSummedStatistics(other.map(sentenceCounts), microF1) }),
  )
