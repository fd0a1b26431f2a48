// Examples to token ids: the prompt from the spec's template (context truncated to fit) and
// each label's verbalizer ids, which follow the prompt when scoring or training.
import { Effect } from "effect"
import { InputError } from "@peftlab/core"
import type { ClassificationExample } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { encodeTemplate, type Tokenizer } from "@peftlab/tokenizers"

/** The spec and the data do not fit together (a prompt too long, a label with no verbalizer). */
export class SpecDataMismatch extends InputError("SpecDataMismatch") {}

export interface EncodedExample {
  readonly id: string
  /** Index into the label list. */
  readonly label: number
  readonly prompt: ReadonlyArray<number>
}

export interface EncodedTask {
  readonly labels: ReadonlyArray<string>
  readonly labelIds: ReadonlyArray<ReadonlyArray<number>>
  readonly encode: (examples: ReadonlyArray<ClassificationExample>) => Effect.Effect<Array<EncodedExample>, SpecDataMismatch>
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
        }).pipe(
          Effect.mapError(
            (error) =>
              new SpecDataMismatch({
                source: "training.max_length",
                detail: `example ${example.id}: ${error.detail}; raise training.max_length or shorten task.template`,
              }),
          ),
          Effect.map(({ ids }) => ({ id: example.id, label: labels.indexOf(example.label), prompt: ids })),
        ),
      ),
  }
}
