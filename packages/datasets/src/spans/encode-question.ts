// Encodes a span question for a BERT-style encoder as `[CLS] question [SEP] sentence [SEP]`
// with multi-span targets: a binary start vector and a binary end vector over the tokens,
// 1 at the first / last token of every answer (the per-token start and end classifiers of
// Li et al. 2020, "A Unified MRC Framework for Named Entity Recognition", ACL). A
// single-token answer sets both at the same token; a question without answers has all zeros.
import type { SpanQuestion } from "./questions.ts"
import { SpanEncodingError } from "./span-encoding-error.ts"
import type { CharRange } from "./span-sentence.ts"
import { wordRanges } from "./words.ts"

/** What the encoder needs of a tokenizer; @peftlab/tokenizers' Tokenizer has it. */
export interface SpanTokenizer {
  encode(text: string, options?: { readonly addSpecialTokens?: boolean }): Array<number>
}

export interface SpanEncoderOptions {
  /** Longest sequence, special tokens included; the sentence is cut to fit, never the question. */
  readonly maxLength: number
  /** Default "[CLS]". */
  readonly clsToken?: string
  /** Default "[SEP]". */
  readonly sepToken?: string
}

export interface EncodedSpanQuestion {
  readonly questionId: string
  readonly sentenceId: string
  readonly type: string
  readonly ids: Array<number>
  /** BERT's segment ids: 0 for [CLS], the question and its [SEP]; 1 for the sentence and the last [SEP]. */
  readonly tokenTypeIds: Array<number>
  readonly startTargets: Array<number>
  readonly endTargets: Array<number>
  /**
   * Per token, the characters of the sentence it comes from, or null for special and question
   * tokens. A token's range is its whole word (see wordRanges), so the subwords of one word share it.
   */
  readonly offsets: Array<CharRange | null>
  /** Sentence tokens cut from its end so that the sequence fits maxLength (0: the whole sentence). */
  readonly truncatedTokens: number
  /** Answers with no token in the sequence: cut off by maxLength, or made only of characters the tokenizer drops. */
  readonly lostAnswers: number
  /** Answers with a boundary inside a word: their targets mark the whole words, so they decode wider. */
  readonly widenedAnswers: number
}

interface ContextTokens {
  readonly ids: Array<number>
  readonly offsets: Array<CharRange>
}

// Encoding word by word equals encoding the whole sentence for BERT's pre-tokenizer, and
// gives each id the characters of its word: @huggingface/tokenizers reports no offsets.
const encodeContext = (tokenizer: SpanTokenizer, context: string): ContextTokens => {
  const ids: Array<number> = []
  const offsets: Array<CharRange> = []
  for (const word of wordRanges(context)) {
    for (const id of tokenizer.encode(context.slice(word.start, word.end), { addSpecialTokens: false })) {
      ids.push(id)
      offsets.push(word)
    }
  }
  return { ids, offsets }
}

/** First and last token touching `answer`, or undefined when no token does. */
const answerTokens = (offsets: ReadonlyArray<CharRange>, answer: CharRange): { first: number; last: number } | undefined => {
  const first = offsets.findIndex((o) => o.end > answer.start)
  const last = offsets.findLastIndex((o) => o.start < answer.end)
  return first >= 0 && first <= last ? { first, last } : undefined
}

/**
 * Returns a function that encodes span questions with `tokenizer`. Throws a
 * SpanEncodingError when the [CLS] or [SEP] token is not one token of the tokenizer, or (per
 * question) when maxLength leaves no room for any sentence token.
 */
export const spanQuestionEncoder = (tokenizer: SpanTokenizer, options: SpanEncoderOptions) => {
  const specialId = (token: string): number => {
    const ids = tokenizer.encode(token, { addSpecialTokens: false })
    if (ids.length !== 1) {
      throw new SpanEncodingError({ source: "tokenizer", detail: `expected ${JSON.stringify(token)} to be one token, got ids [${ids.join(", ")}]` })
    }
    return ids[0]!
  }
  const cls = specialId(options.clsToken ?? "[CLS]")
  const sep = specialId(options.sepToken ?? "[SEP]")

  return (question: SpanQuestion): EncodedSpanQuestion => {
    const prefix = [cls, ...tokenizer.encode(question.question, { addSpecialTokens: false }), sep]
    const room = options.maxLength - prefix.length - 1
    if (room < 1) {
      const detail = `${options.maxLength} leaves no room for the sentence after the question ${JSON.stringify(question.question)} (${prefix.length - 2} tokens) and 3 special tokens`
      throw new SpanEncodingError({ source: "maxLength", detail })
    }
    const context = encodeContext(tokenizer, question.context)
    const kept = Math.min(room, context.ids.length)
    const ids = [...prefix, ...context.ids.slice(0, kept), sep]
    const startTargets = new Array<number>(ids.length).fill(0)
    const endTargets = new Array<number>(ids.length).fill(0)
    let lostAnswers = 0
    let widenedAnswers = 0
    for (const answer of question.answers) {
      const tokens = answerTokens(context.offsets, answer)
      if (tokens === undefined || tokens.last >= kept) {
        lostAnswers++
        continue
      }
      startTargets[prefix.length + tokens.first] = 1
      endTargets[prefix.length + tokens.last] = 1
      if (context.offsets[tokens.first]!.start !== answer.start || context.offsets[tokens.last]!.end !== answer.end) widenedAnswers++
    }
    return {
      questionId: question.id,
      sentenceId: question.sentenceId,
      type: question.type,
      ids,
      tokenTypeIds: ids.map((_, i) => (i < prefix.length ? 0 : 1)),
      startTargets,
      endTargets,
      offsets: [...prefix.map(() => null), ...context.offsets.slice(0, kept), null],
      truncatedTokens: context.ids.length - kept,
      lostAnswers,
      widenedAnswers,
    }
  }
}
