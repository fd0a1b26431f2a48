// Classification through the LM head: training minimises the negative log-likelihood of the
// gold label's verbalizer tokens after the prompt (the loss covers those tokens only);
// validation scores every label and reports the metric the spec selects epochs by.
import { Effect } from "effect"
import type { Adapter } from "@peftlab/adapters-base"
import { classificationMetrics, continuationNll, scoreLabels, type LabelScores, type LanguageModel } from "@peftlab/evaluators"
import type { TrainingTask, Validation } from "@peftlab/trainer"
import { batchesOf } from "@peftlab/trainer"
import type { EncodedExample, EncodedTask } from "./encode.ts"

export type SelectBy = "macro_f1" | "accuracy" | "loss"

/** training.select_by of a classification spec; checkRegisteredNames refuses micro_f1 (span extraction's) before a run. */
export const classificationSelectBy = (selectBy: SelectBy | "micro_f1"): SelectBy => {
  if (selectBy === "micro_f1") throw new Error("select_by micro_f1 reached a classification task")
  return selectBy
}

export interface ClassificationSetup {
  readonly model: LanguageModel
  readonly adapter: Adapter
  readonly task: EncodedTask
  readonly padId: number
  readonly batchSize: number
}

/** Label scores for many examples, a batch at a time. */
export const scoreAll = async (setup: ClassificationSetup, examples: ReadonlyArray<EncodedExample>): Promise<Array<LabelScores>> => {
  const scored: Array<LabelScores> = []
  for (const batch of batchesOf(examples, setup.batchSize)) {
    scored.push(...(await scoreLabels(setup.model, setup.adapter, batch.map((e) => e.prompt), setup.task.labelIds, setup.padId)))
  }
  return scored
}

export const validationOf = async (
  setup: ClassificationSetup,
  examples: ReadonlyArray<EncodedExample>,
  selectBy: SelectBy,
): Promise<Validation> => {
  const scored = await scoreAll(setup, examples)
  // The training loss on this split: gold verbalizer NLL per token.
  const goldTokens = examples.reduce((sum, e) => sum + (setup.task.labelIds[e.label] as ReadonlyArray<number>).length, 0)
  const loss = -examples.reduce((sum, e, i) => sum + ((scored[i] as LabelScores).scores[e.label] as number), 0) / goldTokens
  if (selectBy === "loss") return { metric: "loss", value: loss, higherIsBetter: false, loss }
  const labels = setup.task.labels
  const metrics = classificationMetrics(
    examples.map((e) => labels[e.label] as string),
    scored.map((s) => labels[s.predicted] as string),
    labels,
  )
  return { metric: selectBy, value: selectBy === "accuracy" ? metrics.accuracy : metrics.macroF1, higherIsBetter: true, loss }
}

export const classificationTraining = (
  setup: ClassificationSetup,
  train: ReadonlyArray<EncodedExample>,
  val: ReadonlyArray<EncodedExample>,
  selectBy: SelectBy,
): TrainingTask<EncodedExample> => {
  const rowsOf = (batch: ReadonlyArray<EncodedExample>) =>
    batch.map((e) => ({ prompt: e.prompt, continuation: setup.task.labelIds[e.label] as ReadonlyArray<number> }))
  return {
    examples: train,
    loss: (batch) => {
      // Dropout and the like act in training steps only, never in validation or scoring.
      setup.adapter.setTraining?.(true)
      try {
        return continuationNll(setup.model, setup.adapter, rowsOf(batch), setup.padId)
      } finally {
        setup.adapter.setTraining?.(false)
      }
    },
    tokens: (batch) => rowsOf(batch).reduce((sum, r) => sum + r.prompt.length + r.continuation.length, 0),
    validate: () => Effect.promise(() => validationOf(setup, val, selectBy)),
  }
}
