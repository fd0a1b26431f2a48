// Typed spans of a sentence as the extraction metrics read them: checked, and each distinct span
// once (a span listed twice counts once, as in seqeval), by strict and lenient scoring alike.
import { MetricInputError } from "@peftlab/stats"

/** A typed half-open span `[start, end)`: characters, or tokens, as long as gold and predictions agree. */
export interface TypedSpan {
  readonly type: string
  readonly start: number
  readonly end: number
}

/** The distinct spans of one sentence by key; a span listed twice counts once, as in seqeval. */
export const spanSet = (spans: ReadonlyArray<TypedSpan>, source: string, sentence: number): Map<string, TypedSpan> => {
  const set = new Map<string, TypedSpan>()
  spans.forEach((span, k) => {
    checkedSpan(span, source, `sentence ${sentence}, span ${k}`)
    set.set(spanKey(span), span)
  })
  return set
}

/** A span's identity under strict match: its type, start and end. */
export const spanKey = ({ type, start, end }: TypedSpan): string => JSON.stringify([type, start, end])

/** Throws MetricInputError (naming `where` in `source`) unless the span is integers `0 <= start < end`. */
export const checkedSpan = ({ start, end }: TypedSpan, source: string, where: string): void => {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end)) {
    throw new MetricInputError({ source, detail: `${where}: expected integers 0 <= start < end, got start ${start}, end ${end}` })
  }
}

/** One span list per gold sentence, and at least one sentence; else MetricInputError. */
export const checkedSentences = (gold: ReadonlyArray<unknown>, predicted: ReadonlyArray<unknown>): void => {
  if (gold.length !== predicted.length) {
    throw new MetricInputError({ source: "predictions", detail: `expected one span list per gold sentence (${gold.length}), got ${predicted.length}` })
  }
  if (gold.length === 0) throw new MetricInputError({ source: "gold spans", detail: "no sentences to score" })
}

/** numerator / denominator, and 0 when the denominator is (an undefined precision or recall scores 0). */
export const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator)
