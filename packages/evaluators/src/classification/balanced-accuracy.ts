import { type ConfusionOptions, classificationMetrics } from "@peftlab/stats"

/**
 * The mean of per-class recall over the labels that occur in `gold` (scikit-learn's
 * balanced_accuracy_score, adjusted=False: a label never in gold has no recall and is left out).
 * Throws `MetricInputError` for inputs `confusionMatrix` rejects.
 */
export const balancedAccuracy = (
  gold: readonly string[],
  pred: readonly string[],
  labels: readonly string[],
  options: ConfusionOptions = {},
): number => {
  const { perClass } = classificationMetrics(gold, pred, labels, options)
  // Never empty: classificationMetrics rejects empty gold and gold labels outside `labels`.
  const recalls = labels.map((label) => perClass[label]!).filter((scores) => scores.support > 0).map((scores) => scores.recall)
  return recalls.reduce((s, r) => s + r, 0) / recalls.length
}
