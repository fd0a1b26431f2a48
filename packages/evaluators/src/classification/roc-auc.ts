// ROC-AUC from scores: the Mann-Whitney statistic, the probability that a random positive scores
// above a random negative with ties counted half, which equals the area under scikit-learn's
// roc_curve (trapezoids) that roc_auc_score reports.
import { MetricInputError } from "@peftlab/stats"

const checkScores = (scores: ReadonlyArray<number>, source: string): void => {
  scores.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new MetricInputError({ source, detail: `index ${i}: expected a finite score, got ${s}` })
  })
}

/** Binary ROC-AUC of `scores` (higher = more positive) against `positive`; throws `MetricInputError` unless both classes occur. */
export const rocAuc = (positive: readonly boolean[], scores: readonly number[]): number => {
  if (positive.length !== scores.length) {
    throw new MetricInputError({ source: "scores", detail: `expected one score per gold label (${positive.length}), got ${scores.length}` })
  }
  checkScores(scores, "scores")
  const positives = positive.filter(Boolean).length
  const negatives = positive.length - positives
  if (positives === 0 || negatives === 0) {
    throw new MetricInputError({ source: "gold labels", detail: `ROC-AUC needs both classes, got ${positives} positive and ${negatives} negative` })
  }
  // Rank all scores ascending, tied scores sharing their mean rank (1-based).
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  let positiveRankSum = 0
  for (let start = 0; start < order.length; ) {
    let end = start
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++
    const meanRank = (start + end) / 2 + 1
    for (let k = start; k <= end; k++) if (positive[order[k]!]) positiveRankSum += meanRank
    start = end + 1
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

export interface OneVsRestAuc {
  /** Unweighted mean of the per-class AUCs (scikit-learn's multi_class="ovr", average="macro"). */
  readonly macro: number
  readonly perClass: Readonly<Record<string, number>>
}

/**
 * One-vs-rest ROC-AUC: each label's column of `scores` ([examples][labels], in `labels` order)
 * ranks that label against all others. Throws `MetricInputError` on shape mismatches, gold labels
 * outside `labels`, or a label that never (or always) occurs in gold.
 */
export const rocAucOneVsRest = (
  gold: readonly string[],
  scores: ReadonlyArray<ReadonlyArray<number>>,
  labels: readonly string[],
): OneVsRestAuc => {
  if (gold.length !== scores.length) {
    throw new MetricInputError({ source: "scores", detail: `expected one score row per gold label (${gold.length}), got ${scores.length}` })
  }
  if (new Set(labels).size !== labels.length || labels.length < 2) {
    throw new MetricInputError({ source: "labels", detail: `expected at least two distinct labels, got ${JSON.stringify(labels)}` })
  }
  scores.forEach((row, i) => {
    if (row.length !== labels.length) throw new MetricInputError({ source: "scores", detail: `row ${i}: expected ${labels.length} scores, got ${row.length}` })
  })
  gold.forEach((g, i) => {
    if (!labels.includes(g)) throw new MetricInputError({ source: "gold labels", detail: `index ${i}: ${JSON.stringify(g)} is not one of ${labels.map((l) => JSON.stringify(l)).join(", ")}` })
  })
  const perClass: Record<string, number> = {}
  labels.forEach((label, k) => {
    perClass[label] = rocAuc(gold.map((g) => g === label), scores.map((row) => row[k]!))
  })
  return { macro: labels.reduce((s, l) => s + perClass[l]!, 0) / labels.length, perClass }
}
