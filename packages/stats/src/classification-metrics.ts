// Classification scores (accuracy, macro-F1, per-class precision/recall/F1) from gold labels and
// predictions: what pairedBootstrap resamples, and what @peftlab/evaluators re-exports.
import { confusionMatrix, type ConfusionOptions } from "./confusion.ts"

export interface ClassScores {
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Number of gold examples of this class. */
  readonly support: number
}

export interface ClassificationMetrics {
  readonly n: number
  readonly accuracy: number
  /** Unweighted mean of the per-class F1 over every label in `labels`, present in the data or not. */
  readonly macroF1: number
  readonly perClass: Readonly<Record<string, ClassScores>>
  /** Rows gold, columns predicted, both in `labels` order. */
  readonly confusion: number[][]
  readonly labels: readonly string[]
}

/**
 * Accuracy, macro-F1 and per-class scores with scikit-learn's default zero-division
 * convention: a precision, recall or F1 whose denominator is 0 counts as 0.
 * Throws `MetricInputError` for inputs `confusionMatrix` rejects.
 */
export const classificationMetrics = (
  gold: readonly string[],
  pred: readonly string[],
  labels: readonly string[],
  options: ConfusionOptions = {},
): ClassificationMetrics => {
  const confusion = confusionMatrix(gold, pred, labels, options)
  const perClass: Record<string, ClassScores> = {}
  let correct = 0
  let f1Sum = 0
  labels.forEach((label, k) => {
    const tp = confusion[k]![k]!
    // Counted from the gold labels: a row misses predictions outside `labels` (see ConfusionOptions).
    const support = gold.filter((g) => g === label).length
    const predicted = sum(confusion.map((row) => row[k]!))
    const scores = {
      precision: ratio(tp, predicted),
      recall: ratio(tp, support),
      // 2·tp / (2·tp + fp + fn): the harmonic mean of precision and recall, and 0 when both are.
      f1: ratio(2 * tp, support + predicted),
      support,
    }
    perClass[label] = scores
    correct += tp
    f1Sum += scores.f1
  })
  return { n: gold.length, accuracy: correct / gold.length, macroF1: f1Sum / labels.length, perClass, confusion, labels }
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0)

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator)
