// Each span-extraction arm against the baseline on the same test sentences: a paired bootstrap
// over sentences of strict and lenient micro-F1 (recomputed from the drawn sentences' summed
// counts) and, when asked, approximate randomization of both (the i2b2/n2c2 convention),
// Holm-adjusted across arms as for classification; with relations, strict triple F1 likewise.
import { extractionMetrics, lenientExtractionMetrics, relationMetrics } from "@peftlab/evaluators"
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { approximateRandomization, fromSummedStatistics } from "@peftlab/stats"
import { bootstrapOf, compareEachArm, randomizationOf } from "../../comparisons.ts"
import type { ExtractionRow } from "./extraction-row.ts"

/** One sentence's [correct, predicted, gold] span counts under strict match. */
export const sentenceCounts = (row: ExtractionRow): [number, number, number] => {
  const { correct, predicted, gold } = extractionMetrics([row.gold], [row.predicted])
  return [correct, predicted, gold]
}

/** One sentence's [correct, predicted, gold] relation triple counts under strict match (type, head and tail spans). */
export const relationCounts = (row: ExtractionRow): [number, number, number] => {
  const { correct, predicted, gold } = relationMetrics([row.goldRelations ?? []], [row.predictedRelations ?? []])
  return [correct, predicted, gold]
}

/** One sentence's [found predicted, predicted, found gold, gold] span counts under overlap. */
export const lenientSentenceCounts = (row: ExtractionRow): [number, number, number, number] => {
  const { foundPredicted, predicted, foundGold, gold } = lenientExtractionMetrics([row.gold], [row.predicted])
  return [foundPredicted, predicted, foundGold, gold]
}

/** Strict micro-F1 from summed counts: 2·correct / (predicted + gold), 0 when there are none. */
const microF1 = ([correct = 0, predicted = 0, gold = 0]: ReadonlyArray<number>): number => (predicted + gold === 0 ? 0 : (2 * correct) / (predicted + gold))

/** Lenient F1 from summed counts: the harmonic mean of found/predicted and found/gold, 0 when either is. */
const lenientF1 = ([foundPredicted = 0, predicted = 0, foundGold = 0, gold = 0]: ReadonlyArray<number>): number => {
  const precision = predicted === 0 ? 0 : foundPredicted / predicted
  const recall = gold === 0 ? 0 : foundGold / gold
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
}

export const compareExtractionsWithBaseline = (spec: ExperimentSpec, extractions: ReadonlyMap<string, ReadonlyArray<ExtractionRow>>): Array<Comparison> =>
  compareEachArm(spec, extractions, (base, other) => {
    const strict = { a: base.map(sentenceCounts), b: other.map(sentenceCounts) }
    const lenient = { a: base.map(lenientSentenceCounts), b: other.map(lenientSentenceCounts) }
    // Rows keep relations only when the task extracts them (task.relations).
    const triples = base.some((row) => row.goldRelations !== undefined) ? { a: base.map(relationCounts), b: other.map(relationCounts) } : undefined
    return {
      ...bootstrapOf(spec, base.length, {
        micro_f1: { a: fromSummedStatistics(strict.a, microF1), b: fromSummedStatistics(strict.b, microF1) },
        lenient_f1: { a: fromSummedStatistics(lenient.a, lenientF1), b: fromSummedStatistics(lenient.b, lenientF1) },
        ...(triples && { relation_f1: { a: fromSummedStatistics(triples.a, microF1), b: fromSummedStatistics(triples.b, microF1) } }),
      }),
      ...randomizationOf(spec, ({ R, seed }) =>
        approximateRandomization({
          R,
          seed,
          metrics: {
            micro_f1: { ...strict, fromTotals: microF1 },
            lenient_f1: { ...lenient, fromTotals: lenientF1 },
            ...(triples && { relation_f1: { ...triples, fromTotals: microF1 } }),
          },
        }),
      ),
    }
  })
