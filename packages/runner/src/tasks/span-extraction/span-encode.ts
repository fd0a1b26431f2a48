// Span questions encoded for the encoder: `[CLS] question [SEP] sentence [SEP]` with start and
// end targets. The question is the task's hard prompt for the type, or, for plain
// fine-tuning (an arm with hard_prompt false), only the type's name; relation questions
// (task.relations) ask each head entity about its tails.
import { Effect } from "effect"
import {
  SpanEncodingError,
  spanQuestionEncoder,
  toRelationQuestions,
  toSpanQuestions,
  type EncodedSpanQuestion,
  type SpanQuestion,
  type SpanSentence,
} from "@peftlab/datasets"
import type { SpanExtractionTaskSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"

export interface SpanEncoding {
  readonly task: SpanExtractionTaskSpec
  readonly tokenizer: Tokenizer
  /** The entity types asked about (the training split's). */
  readonly types: ReadonlyArray<string>
  readonly maxLength: number
}

/** Every sentence's questions, one per type, in sentence then type order. */
export const encodeSpanQuestions = (
  { task, tokenizer, types, maxLength }: SpanEncoding,
  sentences: ReadonlyArray<SpanSentence>,
  hardPrompt: boolean,
): Effect.Effect<Array<EncodedSpanQuestion>, SpanEncodingError> =>
  Effect.suspend(() => {
    const questions = hardPrompt
      ? toSpanQuestions(sentences, types, { questions: task.questions, template: task.question_template })
      : toSpanQuestions(sentences, types, { template: "{type}" })
    return encodeAll(tokenizer, maxLength, questions)
  })

/**
 * Every sentence's relation questions about its gold heads (task.relations), in sentence, then
 * relation type, then head order: what the span head learns relations from beside the entity
 * questions. Every arm asks them in the same words (the head's text must be in the question).
 */
export const encodeRelationQuestions = (
  { tokenizer, maxLength }: SpanEncoding,
  sentences: ReadonlyArray<SpanSentence>,
  relations: NonNullable<SpanExtractionTaskSpec["relations"]>,
): Effect.Effect<Array<EncodedSpanQuestion>, SpanEncodingError> =>
  Effect.suspend(() =>
    encodeAll(
      tokenizer,
      maxLength,
      sentences.flatMap((sentence) => toRelationQuestions(sentence, sentence.entities, relations.types, relations.question_template)),
    ),
  )

const encodeAll = (tokenizer: Tokenizer, maxLength: number, questions: ReadonlyArray<SpanQuestion>): Effect.Effect<Array<EncodedSpanQuestion>, SpanEncodingError> => {
  try {
    const encode = spanQuestionEncoder(tokenizer, { maxLength })
    return Effect.succeed(questions.map(encode))
  } catch (error) {
    // The encoder's own error names the tokenizer or length at fault; anything else is a bug.
    if (error instanceof SpanEncodingError) return Effect.fail(error)
    throw error
  }
}
