import { MetricInputError } from "@peftlab/stats"

/** Throws `MetricInputError` unless there is one prediction per reference and at least one pair. */
export const checkPairs = (references: ReadonlyArray<unknown>, predictions: ReadonlyArray<unknown>): void => {
  if (references.length !== predictions.length) {
    throw new MetricInputError({
      source: "predictions",
      detail: `expected one prediction per reference (${references.length}), got ${predictions.length}`,
    })
  }
  if (references.length === 0) throw new MetricInputError({ source: "references", detail: "no examples to score" })
}
