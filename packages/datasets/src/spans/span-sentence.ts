/** A half-open character range `[start, end)` in a sentence (JavaScript string indices). */
export interface CharRange {
  readonly start: number
  readonly end: number
}

/** One annotated concept: its type and where it is in the sentence. */
export interface EntitySpan extends CharRange {
  readonly type: string
}

/** A sentence with its gold concepts, sorted by start, then end, then type. */
export interface SpanSentence {
  readonly id: string
  readonly text: string
  readonly entities: ReadonlyArray<EntitySpan>
}

/** Orders spans by start, then end, then type, so every reader returns them the same way. */
export const compareSpans = (a: EntitySpan, b: EntitySpan): number =>
  a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
