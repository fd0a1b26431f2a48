/** A half-open character range `[start, end)` in a sentence (JavaScript string indices). */
export interface CharRange {
  readonly start: number
  readonly end: number
}

/** One annotated concept: its type and where it is in the sentence. */
export interface EntitySpan extends CharRange {
  readonly type: string
}

/** A relation between two concepts of a sentence: `head --type--> tail` (e.g. Drug --ADE-Drug--> ADE). */
export interface EntityRelation {
  readonly type: string
  readonly head: EntitySpan
  readonly tail: EntitySpan
}

/** A sentence with its gold concepts, sorted by start, then end, then type. */
export interface SpanSentence {
  readonly id: string
  readonly text: string
  readonly entities: ReadonlyArray<EntitySpan>
  /** Gold relations among its concepts, sorted (compareRelations); absent where the data has none. */
  readonly relations?: ReadonlyArray<EntityRelation>
}

/** Orders spans by start, then end, then type, so every reader returns them the same way. */
export const compareSpans = (a: EntitySpan, b: EntitySpan): number =>
  a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)

/** Orders relations by head, then tail, then type. */
export const compareRelations = (a: EntityRelation, b: EntityRelation): number =>
  compareSpans(a.head, b.head) || compareSpans(a.tail, b.tail) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
