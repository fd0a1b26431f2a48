import type { EncodedSpanQuestion } from "./encode-question.ts"
import { compareSpans, type EntitySpan, type SpanSentence } from "./span-sentence.ts"

export interface SpanDecodingOptions {
  /** A token starts (ends) a span when its start (end) probability is above this. Default 0.5. */
  readonly threshold?: number
  /** Scores are logits: their sigmoid is the probability. Default false (probabilities). */
  readonly logits?: boolean
  /** Longest span in tokens, start and end included. Default 30 (SQuAD's usual max_answer_length). */
  readonly maxSpanTokens?: number
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

interface Candidate extends EntitySpan {
  readonly score: number
}

/**
 * Spans from per-token start and end scores of one encoded question (scores may be longer,
 * e.g. a padded row; only sentence tokens count). Each token whose start probability is above
 * the threshold is paired with the nearest token at or after it whose end probability is; a
 * pair longer than maxSpanTokens is dropped. Pairs map to characters through the tokens'
 * words, and overlapping ones are resolved greedily by start × end probability (ties: the
 * earlier span). Returns non-overlapping spans of the question's type, sorted by start.
 */
export const decodeSpans = (
  encoded: Pick<EncodedSpanQuestion, "type" | "offsets">,
  startScores: ArrayLike<number>,
  endScores: ArrayLike<number>,
  options: SpanDecodingOptions = {},
): Array<EntitySpan> => {
  const { offsets, type } = encoded
  if (startScores.length < offsets.length || endScores.length < offsets.length) {
    throw new RangeError(`decodeSpans: expected at least ${offsets.length} start and end scores, got ${startScores.length} and ${endScores.length}`)
  }
  const threshold = options.threshold ?? 0.5
  const maxSpanTokens = options.maxSpanTokens ?? 30
  const probability = options.logits ? sigmoid : (x: number) => x
  const sentenceTokens = offsets.flatMap((o, i) => (o === null ? [] : [i]))
  const ends = sentenceTokens.filter((i) => probability(endScores[i]!) > threshold)

  const candidates: Array<Candidate> = []
  for (const i of sentenceTokens) {
    const pStart = probability(startScores[i]!)
    const j = ends.find((e) => e >= i)
    if (!(pStart > threshold) || j === undefined || j - i + 1 > maxSpanTokens) continue
    candidates.push({ type, start: offsets[i]!.start, end: offsets[j]!.end, score: pStart * probability(endScores[j]!) })
  }
  candidates.sort((a, b) => b.score - a.score || a.start - b.start)

  const kept: Array<EntitySpan> = []
  for (const { score: _, ...span } of candidates) {
    if (kept.every((k) => span.end <= k.start || span.start >= k.end)) kept.push(span)
  }
  return kept.sort(compareSpans)
}

/**
 * Gathers decoded spans per sentence, in `sentences` order, each list sorted and without
 * repeats: the predictions an extraction metric compares with the gold entities.
 */
export const spansBySentence = (
  sentences: ReadonlyArray<Pick<SpanSentence, "id">>,
  predictions: ReadonlyArray<{ readonly sentenceId: string; readonly spans: ReadonlyArray<EntitySpan> }>,
): Array<Array<EntitySpan>> => {
  const bySentence = new Map(sentences.map((s) => [s.id, new Map<string, EntitySpan>()]))
  if (bySentence.size < sentences.length) throw new RangeError("spansBySentence: sentence ids must be distinct")
  for (const { sentenceId, spans } of predictions) {
    const found = bySentence.get(sentenceId)
    if (!found) throw new RangeError(`spansBySentence: prediction for unknown sentence ${JSON.stringify(sentenceId)}`)
    for (const span of spans) found.set(JSON.stringify([span.type, span.start, span.end]), span)
  }
  return [...bySentence.values()].map((found) => [...found.values()].sort(compareSpans))
}
