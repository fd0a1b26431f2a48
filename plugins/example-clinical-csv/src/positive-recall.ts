// Sensitivity for the "positive" label: of the notes whose outcome happened, the share the arm
// predicted as positive (0 when the test split has none, as scikit-learn's zero_division=0).
import { classificationMetrics, MetricInputError } from "@peftlab/evaluators"
import type { Metric } from "@peftlab/runner"

export const positiveLabel = "positive"

export const positiveRecall: Metric = {
  name: "positive_recall",
  compute: ({ gold, pred, labels }) => {
    if (!labels.includes(positiveLabel)) {
      throw new MetricInputError({ source: "positive_recall", detail: `needs a label "${positiveLabel}" in task.labels, got ${labels.join(", ")}` })
    }
    // A generated answer that names no label is a miss, as in the standard metrics.
    return classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" }).perClass[positiveLabel]!.recall
  },
}
