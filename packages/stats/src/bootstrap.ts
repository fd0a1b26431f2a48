// Paired bootstrap of classification metrics: gold labels and each arm's predictions are
// gathered at the drawn indices and scored by a (gold, pred, labels) metric.
import { classificationMetrics } from "./classification-metrics.ts"
import { type BootstrapResult, type IndexMetric, pairedIndexBootstrap } from "./index-bootstrap.ts"

/** A score computed from gold labels and predictions; `labels` is the full label set. */
export type Metric = (gold: readonly string[], pred: readonly string[], labels: readonly string[]) => number

// Generated answers that name no label count as wrong (see classificationMetrics).
export const accuracy: Metric = (gold, pred, labels) => classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" }).accuracy
export const macroF1: Metric = (gold, pred, labels) => classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" }).macroF1

export interface PairedBootstrapOptions {
  readonly gold: readonly string[]
  readonly predA: readonly string[]
  readonly predB: readonly string[]
  readonly labels: readonly string[]
  /** Number of resamples. */
  readonly B: number
  readonly seed: number
  readonly metrics: Readonly<Record<string, Metric>>
}

export const pairedBootstrap = (options: PairedBootstrapOptions): Record<string, BootstrapResult> => {
  const { gold, predA, predB, labels, B, seed, metrics } = options
  const n = gold.length
  if (predA.length !== n || predB.length !== n) {
    throw new RangeError(`pairedBootstrap: expected ${n} predictions per arm, got ${predA.length} (A) and ${predB.length} (B)`)
  }
  const at = (values: readonly string[], indices: ReadonlyArray<number>) => indices.map((i) => values[i] as string)
  const scoring = (metric: Metric, pred: readonly string[]): IndexMetric => (indices) => metric(at(gold, indices), at(pred, indices), labels)
  return pairedIndexBootstrap({
    n,
    B,
    seed,
    metrics: Object.fromEntries(Object.entries(metrics).map(([name, metric]) => [name, { a: scoring(metric, predA), b: scoring(metric, predB) }])),
  })
}
