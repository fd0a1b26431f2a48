// An `evaluation.metrics` name as a plugin registers it: one number per arm from its test
// predictions, in its own column of results.csv. Computing is an Effect: predictions it cannot
// score fail with an InputError (MetricInputError, say: exit 2), anything else thrown is a bug.
import type { Effect } from "effect"
import type { AnyInputError } from "@peftlab/core"

/** What a metric sees of one arm's test predictions, in the same example order throughout. */
export interface MetricInput {
  readonly gold: ReadonlyArray<string>
  /** Predicted labels; a generated answer that names no label is "(unparsed)", outside `labels`. */
  readonly pred: ReadonlyArray<string>
  /** The task's labels, in task.labels order. */
  readonly labels: ReadonlyArray<string>
  /** Each prediction's probability (softmax over the label scores); absent when evaluation.mode is generate. */
  readonly scores?: ReadonlyArray<number>
}

/** An `evaluation.metrics` name: one number per arm, in its own column of results.csv. */
export interface Metric {
  readonly name: string
  /** Needs `scores`, which only label scoring gives: refused with evaluation.mode generate. */
  readonly needsScores?: boolean
  /** The arm's value; fails with an InputError (e.g. MetricInputError) for predictions it cannot score. */
  readonly compute: (input: MetricInput) => Effect.Effect<number, AnyInputError>
}
