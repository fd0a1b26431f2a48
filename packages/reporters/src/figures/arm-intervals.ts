// Each arm's own score with a 95% percentile bootstrap CI (not a difference from the baseline:
// stats.md holds those). The resampling is @peftlab/stats' paired index bootstrap against a
// constant 0, so the CI of "score − 0" is the score's CI, drawn exactly as stats.md draws.
// Every arm uses the same seed, hence the same resampled test sets.
import { type IndexMetric, fromSummedStatistics, meanOfScores, pairedIndexBootstrap, accuracy, macroF1, type Metric } from "@peftlab/stats"
import type { BootstrapOptions, ExtractionArm, FigureArm, GenerationArm } from "./figures-input.ts"

export interface MetricInterval {
  readonly arm: string
  readonly metric: string
  readonly value: number
  readonly lo: number
  readonly hi: number
}

const zero: IndexMetric = () => 0

/** The 95% percentile bootstrap interval of `metric` over `n` examples. */
export const bootstrapInterval = (n: number, metric: IndexMetric, { B, seed }: BootstrapOptions): { value: number; lo: number; hi: number } => {
  const { observed, ci95 } = pairedIndexBootstrap({ n, B, seed, metrics: { score: { a: zero, b: metric } } }).score!
  return { value: observed, lo: ci95[0], hi: ci95[1] }
}

const classificationMetrics: ReadonlyArray<[string, Metric]> = [["macro-F1", macroF1], ["accuracy", accuracy]]

/** Macro-F1 and accuracy of each arm, recomputed from its predictions (as results.md was), with CIs. */
export const classificationIntervals = (arms: ReadonlyArray<FigureArm>, labels: ReadonlyArray<string>, bootstrap: BootstrapOptions): MetricInterval[] =>
  arms.flatMap(({ result, predictions }) => {
    const gold = predictions.map((p) => p.gold)
    const pred = predictions.map((p) => p.pred)
    const at = (values: ReadonlyArray<string>, indices: ReadonlyArray<number>) => indices.map((i) => values[i]!)
    return classificationMetrics.map(([name, metric]) => ({
      arm: result.arm,
      metric: name,
      ...bootstrapInterval(predictions.length, (indices) => metric(at(gold, indices), at(pred, indices), labels), bootstrap),
    }))
  })

/** The mean of each generation metric's per-example scores, per arm, with CIs. */
export const generationIntervals = (arms: ReadonlyArray<GenerationArm>, bootstrap: BootstrapOptions): MetricInterval[] =>
  arms.flatMap(({ arm, scores }) =>
    Object.entries(scores).map(([metric, values]) => ({ arm, metric, ...bootstrapInterval(values.length, meanOfScores(values), bootstrap) })),
  )

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator)

/** Strict span precision, recall and F1 from summed [correct, predicted, gold] counts. */
const extractionScores: ReadonlyArray<[string, (totals: ReadonlyArray<number>) => number]> = [
  ["precision", ([correct = 0, predicted = 0]) => ratio(correct, predicted)],
  ["recall", ([correct = 0, , gold = 0]) => ratio(correct, gold)],
  ["micro-F1", ([correct = 0, predicted = 0, gold = 0]) => ratio(2 * correct, predicted + gold)],
]

/** Micro-averaged precision, recall and F1 of each arm, recomputed over resampled sentences, with CIs. */
export const extractionIntervals = (arms: ReadonlyArray<ExtractionArm>, bootstrap: BootstrapOptions): MetricInterval[] =>
  arms.flatMap(({ result, counts }) =>
    extractionScores.map(([metric, score]) => ({ arm: result.arm, metric, ...bootstrapInterval(counts.length, fromSummedStatistics(counts, score), bootstrap) })),
  )
