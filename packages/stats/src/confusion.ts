// The confusion matrix under every classification score, and its checks of the inputs.
import { MetricInputError } from "./metric-input-error.ts"

export interface ConfusionOptions {
  /**
   * A prediction outside `labels` (a generated answer that names no label) is an error by
   * default; "wrong" counts it as a miss for its gold label, in no column.
   */
  readonly unknownPredictions?: "error" | "wrong"
}

/**
 * Counts of (gold, predicted) pairs: rows are gold labels and columns predicted labels, both
 * in `labels` order. Throws `MetricInputError` on unequal lengths, no examples, a repeated
 * label in `labels`, a gold label outside `labels`, or (by default) a predicted one.
 */
export const confusionMatrix = (
  gold: readonly string[],
  pred: readonly string[],
  labels: readonly string[],
  options: ConfusionOptions = {},
): number[][] => {
  if (gold.length !== pred.length) {
    throw new MetricInputError({
      source: "predictions",
      detail: `expected one prediction per gold label (${gold.length}), got ${pred.length}`,
    })
  }
  if (gold.length === 0) throw new MetricInputError({ source: "gold labels", detail: "no examples to score" })
  const index = labelIndex(labels)
  const matrix = labels.map(() => labels.map(() => 0))
  for (let i = 0; i < gold.length; i++) {
    const row = matrix[lookup(index, gold[i] as string, "gold labels", i, labels)] as number[]
    if (options.unknownPredictions === "wrong" && !index.has(pred[i] as string)) continue
    row[lookup(index, pred[i] as string, "predictions", i, labels)]! += 1
  }
  return matrix
}

const labelIndex = (labels: readonly string[]): ReadonlyMap<string, number> => {
  if (labels.length === 0) throw new MetricInputError({ source: "labels", detail: "the label set is empty" })
  const index = new Map(labels.map((label, i) => [label, i]))
  if (index.size !== labels.length) {
    throw new MetricInputError({ source: "labels", detail: `labels must be distinct, got ${JSON.stringify(labels)}` })
  }
  return index
}

const lookup = (
  index: ReadonlyMap<string, number>,
  label: string,
  source: string,
  position: number,
  labels: readonly string[],
): number => {
  const i = index.get(label)
  if (i === undefined) {
    throw new MetricInputError({
      source,
      detail: `index ${position}: ${JSON.stringify(label)} is not one of ${labels.map((l) => JSON.stringify(l)).join(", ")}`,
    })
  }
  return i
}
