// Lenient span-level scores, which the i2b2 and n2c2 clinical extraction tasks report beside
// strict ones: a predicted span is found when it overlaps a gold span of the same type in the
// same sentence by at least one position, and a gold span is found when some predicted span of
// its type overlaps it. Precision counts found predictions, recall found gold spans, each span
// once (one long prediction over two gold spans finds both), and F1 is their harmonic mean.
import { checkedSentences, ratio, spanSet, type TypedSpan } from "./typed-spans.ts"

export interface LenientScores {
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Predicted spans that overlap a gold span of their type. */
  readonly foundPredicted: number
  /** Gold spans that some predicted span of their type overlaps. */
  readonly foundGold: number
  readonly predicted: number
  readonly gold: number
}

export interface LenientMetrics extends LenientScores {
  /** Per entity type, every type of the gold or predicted spans, keys sorted. */
  readonly perType: Readonly<Record<string, LenientScores>>
}

interface Counts {
  foundPredicted: number
  foundGold: number
  predicted: number
  gold: number
}

const overlaps = (a: TypedSpan, b: TypedSpan): boolean => a.type === b.type && a.start < b.end && b.start < a.end

const scores = ({ foundPredicted, foundGold, predicted, gold }: Counts): LenientScores => {
  const precision = ratio(foundPredicted, predicted)
  const recall = ratio(foundGold, gold)
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), foundPredicted, foundGold, predicted, gold }
}

/**
 * Lenient precision, recall and F1 over the corpus and per type; `gold[i]` and `predicted[i]`
 * are the spans of sentence i. Throws MetricInputError as extractionMetrics does.
 */
export const lenientExtractionMetrics = (gold: ReadonlyArray<ReadonlyArray<TypedSpan>>, predicted: ReadonlyArray<ReadonlyArray<TypedSpan>>): LenientMetrics => {
  checkedSentences(gold, predicted)
  const counts = new Map<string, Counts>()
  const count = (type: string) => counts.get(type) ?? counts.set(type, { foundPredicted: 0, foundGold: 0, predicted: 0, gold: 0 }).get(type)!
  gold.forEach((goldSpans, i) => {
    const goldSet = [...spanSet(goldSpans, "gold spans", i).values()]
    const predictedSet = [...spanSet(predicted[i]!, "predictions", i).values()]
    for (const span of goldSet) {
      const c = count(span.type)
      c.gold++
      if (predictedSet.some((other) => overlaps(span, other))) c.foundGold++
    }
    for (const span of predictedSet) {
      const c = count(span.type)
      c.predicted++
      if (goldSet.some((other) => overlaps(span, other))) c.foundPredicted++
    }
  })
  const perType = Object.fromEntries([...counts.keys()].sort().map((type) => [type, scores(counts.get(type)!)]))
  const total = (field: keyof Counts) => [...counts.values()].reduce((sum, c) => sum + c[field], 0)
  return { ...scores({ foundPredicted: total("foundPredicted"), foundGold: total("foundGold"), predicted: total("predicted"), gold: total("gold") }), perType }
}
