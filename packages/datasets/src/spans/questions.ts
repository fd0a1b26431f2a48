import type { CharRange, SpanSentence } from "./span-sentence.ts"

/** One entity type asked about one sentence: every gold span of that type answers it. */
export interface SpanQuestion {
  /** `<sentence id>:<type>`. */
  readonly id: string
  readonly sentenceId: string
  readonly type: string
  readonly question: string
  /** The sentence text the answers point into. */
  readonly context: string
  /** Zero, one or several answers, sorted by start then end, without repeats. */
  readonly answers: ReadonlyArray<CharRange>
}

export interface QuestionOptions {
  /** Per-type questions, e.g. `{ drug: "Which drugs are mentioned?" }`. */
  readonly questions?: Readonly<Record<string, string>>
  /** For types not in `questions`; `{type}` is replaced by the type. */
  readonly template?: string
}

export const defaultQuestionTemplate = "Which {type} entities are mentioned?"

/** Every entity type in the sentences, sorted. */
export const entityTypes = (sentences: ReadonlyArray<SpanSentence>): Array<string> =>
  [...new Set(sentences.flatMap((s) => s.entities.map((e) => e.type)))].sort()

/**
 * Reading-comprehension view of span extraction: one question per sentence and type, in
 * sentence order then `types` order, including types without a span in the sentence (their
 * empty answers teach the model to extract nothing). Pass the training set's `types` when
 * converting validation and test sentences so every split asks the same questions.
 */
export const toSpanQuestions = (
  sentences: ReadonlyArray<SpanSentence>,
  types: ReadonlyArray<string>,
  options: QuestionOptions = {},
): Array<SpanQuestion> => {
  const template = options.template ?? defaultQuestionTemplate
  const questions = options.questions ?? {}
  // hasOwn: a type named e.g. "constructor" must not pick up Object.prototype's.
  const questionFor = (type: string) => (Object.hasOwn(questions, type) ? questions[type]! : template.replaceAll("{type}", type))
  return sentences.flatMap((sentence) =>
    types.map((type) => {
      const ranges = new Map<string, CharRange>()
      for (const { start, end } of sentence.entities.filter((e) => e.type === type)) ranges.set(`${start}:${end}`, { start, end })
      return {
        id: `${sentence.id}:${type}`,
        sentenceId: sentence.id,
        type,
        question: questionFor(type),
        context: sentence.text,
        answers: [...ranges.values()].sort((a, b) => a.start - b.start || a.end - b.end),
      }
    }),
  )
}
