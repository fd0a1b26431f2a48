// Examples to token ids: the prompt from the spec's template (context truncated to fit) and
// each label's verbalizer ids, which follow the prompt when scoring or training.
import { Effect } from "effect"
import type { ClassificationExample } from "@peftlab/datasets"
import { isGenerativeQa, isSpanExtraction, type ClassificationTaskSpec, type ExperimentSpec } from "@peftlab/spec"
import { encodeChat, encodeTemplate, INSTRUCTION_TEMPLATE, type ChatTemplate, type TemplateError, type Tokenizer } from "@peftlab/tokenizers"
import { SpecDataMismatch } from "../../spec-data-mismatch.ts"

export interface EncodedExample {
  readonly id: string
  /** Index into the label list. */
  readonly label: number
  readonly prompt: ReadonlyArray<number>
  /** Tokens the context lost so that the prompt fits training.max_length (0: whole). */
  readonly truncatedTokens: number
}

export interface EncodedTask {
  readonly labels: ReadonlyArray<string>
  readonly labelIds: ReadonlyArray<ReadonlyArray<number>>
  readonly encode: (examples: ReadonlyArray<ClassificationExample>) => Effect.Effect<Array<EncodedExample>, SpecDataMismatch>
}

/** The spec's classification task; the other task kinds never reach this folder, so anything else is a bug. */
export const classificationTaskOf = (spec: ExperimentSpec): ClassificationTaskSpec => {
  const { task } = spec
  if (isGenerativeQa(task) || isSpanExtraction(task)) throw new Error(`a ${task.kind} spec reached the classification path`)
  return task
}

/** One example's prompt ids in the spec's task.format, leaving `reserve` tokens for the label. */
const promptEncoder = (spec: ExperimentSpec, tokenizer: Tokenizer, chat: ChatTemplate | undefined) =>
  (fields: Readonly<Record<string, string>>, reserve: number): Effect.Effect<{ readonly ids: ReadonlyArray<number>; readonly truncatedTokens: number }, TemplateError> => {
    const { template, format } = classificationTaskOf(spec)
    const maxLength = spec.training.max_length
    if (format === "chat" && chat) {
      return Effect.map(
        encodeChat(tokenizer, chat, { messages: [{ role: "user", content: template }], fields, truncateField: "context", maxLength: maxLength - reserve }),
        (encoded) => ({ ids: encoded.promptIds, truncatedTokens: encoded.truncatedTokens }),
      )
    }
    // The instruction is the spec's template, placeholders and all, inside the instruction prompt.
    const prompt = format === "instruction" ? INSTRUCTION_TEMPLATE.replace("{instruction}", template) : template
    return encodeTemplate(tokenizer, { template: prompt, fields, truncateField: "context", maxLength, reserve })
  }

/** `chat`: the model's chat template, needed when task.format is chat. */
export const encodedTask = (spec: ExperimentSpec, tokenizer: Tokenizer, labels: ReadonlyArray<string>, chat?: ChatTemplate): EncodedTask => {
  const labelIds = labels.map((label) => tokenizer.continuationIds(classificationTaskOf(spec).labels[label] as string))
  const reserve = Math.max(...labelIds.map((ids) => ids.length))
  const encodePrompt = promptEncoder(spec, tokenizer, chat)
  return {
    labels,
    labelIds,
    encode: (examples) =>
      Effect.forEach(examples, (example) =>
        encodePrompt({ question: example.question, context: example.context }, reserve).pipe(
          Effect.mapError(
            (error) =>
              new SpecDataMismatch({
                source: "training.max_length",
                detail: `example ${example.id}: ${error.detail}; raise training.max_length or shorten task.template`,
              }),
          ),
          Effect.map(({ ids, truncatedTokens }) => ({ id: example.id, label: labels.indexOf(example.label), prompt: ids, truncatedTokens })),
        ),
      ),
  }
}
