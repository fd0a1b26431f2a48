// Examples to token ids: the prompt from the spec's template (context truncated to fit) and
// each label's verbalizer ids, which follow the prompt when scoring or training.
import { Effect } from "effect"
import type { ClassificationExample } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { encodeTemplate, type Tokenizer } from "@peftlab/tokenizers"

export interface EncodedExample {
  readonly id: string
  /** Index into the label list. */
  readonly label: number
  readonly prompt: ReadonlyArray<number>
}

export interface EncodedTask {
  readonly labels: ReadonlyArray<string>
  readonly labelIds: ReadonlyArray<ReadonlyArray<number>>
  readonly encode: (examples: ReadonlyArray<ClassificationExample>) => Effect.Effect<Array<EncodedExample>, unknown>
}

export const encodedTask = (spec: ExperimentSpec, tokenizer: Tokenizer, labels: ReadonlyArray<string>): EncodedTask => {
  const labelIds = labels.map((label) => tokenizer.continuationIds(spec.task.labels[label] as string))
  const reserve = Math.max(...labelIds.map((ids) => ids.length))
  return {
    labels,
    labelIds,
    encode: (examples) =>
      Effect.forEach(examples, (example) =>
        encodeTemplate(tokenizer, {
          template: spec.task.template,
          fields: { question: example.question, context: example.context },
          truncateField: "context",
          maxLength: spec.training.max_length,
          reserve,
        }).pipe(Effect.map(({ ids }) => ({ id: example.id, label: labels.indexOf(example.label), prompt: ids }))),
      ),
  }
}
