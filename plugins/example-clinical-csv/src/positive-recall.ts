// Sensitivity for the "positive" label: of the notes whose outcome happened, the share the arm
// predicted as positive (0 when the test split has none, as scikit-learn's zero_division=0).
// Predictions it cannot score (no "positive" label) fail with a MetricInputError (exit 2).
import { Effect } from "effect"
import { classificationMetrics, MetricInputError } from "@peftlab/evaluators"
import type { Metric } from "@peftlab/plugin-api"

export const positiveLabel = "positive"

export const positiveRecall: Metric = {
  name: "positive_recall",
  compute: ({ gold, pred, labels }) =>
    labels.includes(positiveLabel)
      ? // A generated answer that names no label is a miss, as in the standard metrics.
        Effect.sync(() => classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" }).perClass[positiveLabel]!.recall)
      : Effect.fail(new MetricInputError({ source: "positive_recall", detail: `needs a label "${positiveLabel}" in task.labels, got ${labels.join(", ")}` })),
}
