// The built-in metrics: accuracy and macro-F1, and the classification additions of
// @peftlab/evaluators (balanced accuracy; ROC-AUC and calibration error from label scores).
import { Effect } from "effect"
import { isInputError, type AnyInputError } from "@peftlab/core"
import { balancedAccuracy, classificationMetrics, expectedCalibrationError, MetricInputError, rocAuc } from "@peftlab/evaluators"
import type { ExperimentSpec } from "@peftlab/spec"
import type { Metric, MetricInput, PeftlabRegistry } from "./entries.ts"

// Generated answers that name no label count as wrong, as in the headline metrics.
const wrongIfUnknown = { unknownPredictions: "wrong" } as const

const scoresOf = (name: string, input: MetricInput): ReadonlyArray<number> => {
  if (input.scores === undefined) throw new MetricInputError({ source: name, detail: "needs label scores, which evaluation.mode generate does not give" })
  return input.scores
}

/** P(first label) of each example, from the predicted label's softmax share: binary tasks only. */
const firstLabelProbabilities = (input: MetricInput): Array<number> => {
  const [first] = input.labels
  if (input.labels.length !== 2) throw new MetricInputError({ source: "roc_auc", detail: `needs exactly two labels, got ${input.labels.length}` })
  const scores = scoresOf("roc_auc", input)
  return input.pred.map((pred, i) => (pred === first ? scores[i]! : 1 - scores[i]!))
}

export const builtinMetrics: ReadonlyArray<Metric> = [
  { name: "accuracy", compute: ({ gold, pred, labels }) => classificationMetrics(gold, pred, labels, wrongIfUnknown).accuracy },
  { name: "macro_f1", compute: ({ gold, pred, labels }) => classificationMetrics(gold, pred, labels, wrongIfUnknown).macroF1 },
  { name: "balanced_accuracy", compute: ({ gold, pred, labels }) => balancedAccuracy(gold, pred, labels, wrongIfUnknown) },
  // Binary tasks: the first label of task.labels is the positive class.
  { name: "roc_auc", needsScores: true, compute: (input) => rocAuc(input.gold.map((g) => g === input.labels[0]), firstLabelProbabilities(input)) },
  // Expected calibration error over 10 equal-width confidence bins.
  { name: "ece", needsScores: true, compute: (input) => expectedCalibrationError([...scoresOf("ece", input)], input.gold.map((g, i) => g === input.pred[i])).ece },
]

/** What results.csv always reports; evaluation.metrics may list these besides registered metrics. */
export const standardColumns = ["accuracy", "macro_f1", "per_class_f1", "latency", "trainable_params"] as const

/** The metrics the spec lists beyond the standard columns: each gets its own results column. */
export const extraMetricNames = (spec: ExperimentSpec): ReadonlyArray<string> =>
  spec.evaluation.metrics.filter((name) => !(standardColumns as ReadonlyArray<string>).includes(name))

/**
 * Each extra metric of the spec, computed on one arm's test predictions. A metric that throws
 * an InputError (predictions it cannot score) fails with it; anything else it throws is a bug.
 */
export const extraMetrics = (spec: ExperimentSpec, registry: PeftlabRegistry, input: MetricInput): Effect.Effect<Record<string, number>, AnyInputError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(Object.fromEntries(extraMetricNames(spec).map((name) => [name, registry.get("metrics", name).compute(input)])))
    } catch (error) {
      return isInputError(error) ? Effect.fail(error) : Effect.die(error)
    }
  })
