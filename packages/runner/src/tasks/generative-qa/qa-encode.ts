// QA examples to token ids: the spec's template as the instruction of a "### Instruction /
// ### Response" prompt, the reference answer (then eos) as the response; only the question
// is shortened to fit training.max_length.
import { Effect } from "effect"
import type { QAExample } from "@peftlab/datasets"
import type { ExperimentSpec, GenerativeQaTaskSpec } from "@peftlab/spec"
import { encodeInstruction, INSTRUCTION_TEMPLATE, type Tokenizer } from "@peftlab/tokenizers"
import { SpecDataMismatch } from "../../spec-data-mismatch.ts"

export interface EncodedQA {
  readonly id: string
  readonly reference: string
  readonly prompt: ReadonlyArray<number>
  /** The response ids as they follow the prompt, then eos: the only tokens the loss covers. */
  readonly response: ReadonlyArray<number>
  /** Tokens the question lost so that prompt and response fit training.max_length (0: whole). */
  readonly truncatedTokens: number
}

export const encodeQA = (spec: ExperimentSpec, task: GenerativeQaTaskSpec, tokenizer: Tokenizer, examples: ReadonlyArray<QAExample>) =>
  Effect.forEach(examples, (example) =>
    encodeInstruction(tokenizer, {
      template: INSTRUCTION_TEMPLATE.replace("{instruction}", task.template),
      fields: { question: example.question },
      truncateField: "question",
      target: example.answer,
      maxLength: spec.training.max_length,
      ...(task.max_answer_tokens ? { maxTargetLength: task.max_answer_tokens } : {}),
    }).pipe(
      Effect.mapError((error) => {
        const max = spec.training.max_length
        // The tokenizer speaks of its own options; the user needs the spec's fields.
        const detail =
          error.source === "maxLength"
            ? `example ${example.id}: its answer leaves no room for the question in training.max_length ${max}; set task.max_answer_tokens below ${max} (longer answers are cut to it) or raise training.max_length`
            : `example ${example.id}: ${error.detail}`
        return new SpecDataMismatch({ source: "training.max_length", detail })
      }),
      Effect.map((encoded): EncodedQA => ({ id: example.id, reference: example.answer, prompt: encoded.promptIds, response: encoded.targetIds, truncatedTokens: encoded.truncatedTokens })),
    ),
  )
