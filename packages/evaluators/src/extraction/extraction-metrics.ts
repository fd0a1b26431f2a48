// Strict span-level scores: a predicted span counts only when a gold span of its sentence has the
// same type, start and end (conlleval, seqeval's default mode); lenient-extraction-metrics.ts
// scores overlaps, the other half of what the i2b2/n2c2 tasks report.
import { checkedSentences, ratio, spanSet, type TypedSpan } from "./typed-spans.ts"

export type { TypedSpan } from "./typed-spans.ts"

export interface ExtractionScores {
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Predicted spans equal to a gold span in type, start and end. */
  readonly correct: number
  readonly predicted: number
  /** Gold spans: the support. */
  readonly gold: number
}

export interface ExtractionMetrics extends ExtractionScores {
  /** Per entity type, every type of the gold or predicted spans, keys sorted. */
  readonly perType: Readonly<Record<string, ExtractionScores>>
}

/** Precision, recall and F1 of strict-match counts (relation-metrics.ts scores triples with it too). */
export const extractionScores = (correct: number, predicted: number, gold: number): ExtractionScores => ({
  precision: ratio(correct, predicted),
  recall: ratio(correct, gold),
  // 2·correct / (predicted + gold): the harmonic mean of precision and recall, and 0 when both are.
  f1: ratio(2 * correct, predicted + gold),
  correct,
  predicted,
  gold,
})

/**
 * Exact-match scores of keyed items per document (spans, relation triples): a predicted item is
 * correct when its document's gold set has its key; micro over the corpus and per `type`.
 */
export const exactMatchMetrics = <T extends { readonly type: string }>(
  gold: ReadonlyArray<ReadonlyMap<string, T>>,
  predicted: ReadonlyArray<ReadonlyMap<string, T>>,
): ExtractionMetrics => {
  const counts = new Map<string, { correct: number; predicted: number; gold: number }>()
  const count = (type: string) => counts.get(type) ?? counts.set(type, { correct: 0, predicted: 0, gold: 0 }).get(type)!
  gold.forEach((goldSet, i) => {
    for (const item of goldSet.values()) count(item.type).gold++
    for (const [key, item] of predicted[i]!) {
      const c = count(item.type)
      c.predicted++
      if (goldSet.has(key)) c.correct++
    }
  })
  const perType: Record<string, ExtractionScores> = {}
  for (const type of [...counts.keys()].sort()) {
    const c = counts.get(type)!
    perType[type] = extractionScores(c.correct, c.predicted, c.gold)
  }
  const total = (field: "correct" | "predicted" | "gold") => [...counts.values()].reduce((s, c) => s + c[field], 0)
  return { ...extractionScores(total("correct"), total("predicted"), total("gold")), perType }
}

/**
 * Strict span-level precision, recall and F1, micro-averaged over the corpus and per type:
 * a predicted span is correct only if a gold span of the same sentence has the same type,
 * start and end (CoNLL-2000's conlleval and seqeval's default). Undefined ratios count as 0.
 * `gold[i]` and `predicted[i]` are the spans of sentence i. Throws MetricInputError on
 * unequal lengths, no sentences, or a span that is not `0 <= start < end` in integers.
 */
export const extractionMetrics = (gold: ReadonlyArray<ReadonlyArray<TypedSpan>>, predicted: ReadonlyArray<ReadonlyArray<TypedSpan>>): ExtractionMetrics => {
  checkedSentences(gold, predicted)
  return exactMatchMetrics(
    gold.map((spans, i) => spanSet(spans, "gold spans", i)),
    predicted.map((spans, i) => spanSet(spans, "predictions", i)),
  )
}
