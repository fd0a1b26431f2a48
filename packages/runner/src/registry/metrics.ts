// The built-in metrics: accuracy and macro-F1, and the classification additions of
// @peftlab/evaluators (balanced accuracy; ROC-AUC and calibration error from label scores).
import { Effect } from "effect"
import { isInputError, type AnyInputError } from "@peftlab/core"
import { balancedAccuracy, classificationMetrics, expectedCalibrationError, MetricInputError, rocAuc } from "@peftlab/evaluators"
import { Registry, type Metric, type MetricInput, type PeftlabRegistry } from "@peftlab/plugin-api"
import type { ExperimentSpec } from "@peftlab/spec"

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

/** Runs `compute`; an InputError it throws (MetricInputError) is the failure, anything else a defect. */
const throwing = (compute: (input: MetricInput) => number) => (input: MetricInput): Effect.Effect<number, AnyInputError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(compute(input))
    } catch (error) {
      return isInputError(error) ? Effect.fail(error) : Effect.die(error)
    }
  })

export const builtinMetrics: ReadonlyArray<Metric> = [
  { name: "accuracy", compute: throwing(({ gold, pred, labels }) => classificationMetrics(gold, pred, labels, wrongIfUnknown).accuracy) },
  { name: "macro_f1", compute: throwing(({ gold, pred, labels }) => classificationMetrics(gold, pred, labels, wrongIfUnknown).macroF1) },
  { name: "balanced_accuracy", compute: throwing(({ gold, pred, labels }) => balancedAccuracy(gold, pred, labels, wrongIfUnknown)) },
  // Binary tasks: the first label of task.labels is the positive class.
  { name: "roc_auc", needsScores: true, compute: throwing((input) => rocAuc(input.gold.map((g) => g === input.labels[0]), firstLabelProbabilities(input))) },
  // Expected calibration error over 10 equal-width confidence bins.
  { name: "ece", needsScores: true, compute: throwing((input) => expectedCalibrationError([...scoresOf("ece", input)], input.gold.map((g, i) => g === input.pred[i])).ece) },
]

/** What results.csv always reports; evaluation.metrics may list these besides registered metrics. */
export const standardColumns = ["accuracy", "macro_f1", "per_class_f1", "latency", "trainable_params"] as const

/** The metrics the spec lists beyond the standard columns: each gets its own results column. */
export const extraMetricNames = (spec: ExperimentSpec): ReadonlyArray<string> =>
  spec.evaluation.metrics.filter((name) => !(standardColumns as ReadonlyArray<string>).includes(name))

/** `name`'s value by the registry's metric; an InputError it throws instead of failing fails too, anything else thrown is a bug. */
const metricValue = (registry: PeftlabRegistry, name: string, input: MetricInput): Effect.Effect<number, AnyInputError> =>
  Effect.suspend(() => {
    try {
      const value: unknown = registry.get("metrics", name).compute(input)
      // Plugins may be plain JavaScript: a bare number is a broken plugin, not a value.
      return Effect.isEffect(value) ? (value as Effect.Effect<number, AnyInputError>) : Effect.die(new TypeError(`metric ${name}: compute must return an Effect, got ${typeof value}`))
    } catch (error) {
      return isInputError(error) ? Effect.fail(error) : Effect.die(error)
    }
  })

/**
 * Each extra metric of the spec, computed on one arm's test predictions by the run's registry.
 * A metric that fails (predictions it cannot score) fails with its InputError; anything else it throws is a bug.
 */
export const extraMetrics = (spec: ExperimentSpec, input: MetricInput): Effect.Effect<Record<string, number>, AnyInputError, Registry> =>
  Effect.gen(function* () {
    const registry = yield* Registry
    const values: Record<string, number> = {}
    for (const name of extraMetricNames(spec)) values[name] = yield* metricValue(registry, name, input)
    return values
  })
