// Strict relation-extraction scores, as the n2c2 2018 track 2 (drug-ADE relations) reports them
// end to end: a predicted (head span, relation, tail span) triple counts only when a gold triple
// of its document has the same relation type and both spans match exactly (type, start, end);
// micro-averaged over the corpus, and per relation type. Entity spans are scored apart
// (extraction-metrics.ts); here a wrong head or tail makes the whole triple wrong.
import { MetricInputError } from "@peftlab/stats"
import { exactMatchMetrics, type ExtractionScores } from "./extraction-metrics.ts"
import { checkedSentences, checkedSpan, spanKey, type TypedSpan } from "./typed-spans.ts"

/** One relation between two typed spans of a document: `head --type--> tail`. */
export interface RelationTriple {
  readonly type: string
  readonly head: TypedSpan
  readonly tail: TypedSpan
}

export interface RelationMetrics extends ExtractionScores {
  /** Per relation type, every type of the gold or predicted triples, keys sorted. */
  readonly perType: Readonly<Record<string, ExtractionScores>>
}

/** The distinct triples of one document by key; a triple listed twice counts once. */
const tripleSet = (triples: ReadonlyArray<RelationTriple>, source: string, document: number): Map<string, RelationTriple> => {
  const set = new Map<string, RelationTriple>()
  triples.forEach((triple, k) => {
    if (typeof triple.type !== "string" || triple.type === "") {
      throw new MetricInputError({ source, detail: `document ${document}, triple ${k}: expected a relation type, got ${JSON.stringify(triple.type)}` })
    }
    checkedSpan(triple.head, source, `document ${document}, triple ${k}, head`)
    checkedSpan(triple.tail, source, `document ${document}, triple ${k}, tail`)
    set.set(JSON.stringify([triple.type, spanKey(triple.head), spanKey(triple.tail)]), triple)
  })
  return set
}

/**
 * Strict micro precision, recall and F1 of relation triples over the corpus and per relation
 * type: `gold[i]` and `predicted[i]` are document i's triples. Undefined ratios count as 0.
 * Throws MetricInputError on unequal lengths, no documents, an empty relation type, or a head or
 * tail span that is not `0 <= start < end` in integers.
 */
export const relationMetrics = (gold: ReadonlyArray<ReadonlyArray<RelationTriple>>, predicted: ReadonlyArray<ReadonlyArray<RelationTriple>>): RelationMetrics => {
  checkedSentences(gold, predicted)
  return exactMatchMetrics(
    gold.map((triples, i) => tripleSet(triples, "gold triples", i)),
    predicted.map((triples, i) => tripleSet(triples, "predicted triples", i)),
  )
}
