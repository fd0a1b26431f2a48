// The numbers a span-extraction arm reports for one set of sentences, by results column: strict
// micro scores, their lenient counterparts, each entity type's strict F1 and, with task.relations,
// strict triple scores and each relation type's F1. The test split fills results.csv from
// them, and an evaluation-only test set (evaluation.external_test) results_external.csv.
import type { EntityRelation, EntitySpan, SpanSentence } from "@peftlab/datasets"
import { extractionMetrics, lenientExtractionMetrics, relationMetrics } from "@peftlab/evaluators"

export interface SpanScores {
  /** Strict and lenient micro scores, and relation scores when asked, by column name. */
  readonly metrics: Record<string, number>
  /** Each asked entity type's strict F1. */
  readonly perType: Record<string, number>
}

/**
 * Scores `predicted` (and `predictedRelations`, when `relationTypes` are asked) against the
 * sentences' gold spans and relations: `types` are the entity types asked about, 0 where a
 * type has neither gold nor predicted spans.
 */
export const spanScores = (
  sentences: ReadonlyArray<SpanSentence>,
  predicted: ReadonlyArray<ReadonlyArray<EntitySpan>>,
  types: ReadonlyArray<string>,
  relations?: { readonly types: ReadonlyArray<string>; readonly predicted: ReadonlyArray<ReadonlyArray<EntityRelation>> },
): SpanScores => {
  const gold = sentences.map((s) => s.entities)
  const strict = extractionMetrics(gold, predicted)
  // Overlap with a gold span of the type counts: the lenient scores i2b2/n2c2 report beside strict ones.
  const lenient = lenientExtractionMetrics(gold, predicted)
  const triples = relations && relationMetrics(sentences.map((s) => s.relations ?? []), relations.predicted)
  return {
    metrics: {
      precision: strict.precision,
      recall: strict.recall,
      micro_f1: strict.f1,
      lenient_precision: lenient.precision,
      lenient_recall: lenient.recall,
      lenient_f1: lenient.f1,
      ...(triples && {
        relation_precision: triples.precision,
        relation_recall: triples.recall,
        relation_f1: triples.f1,
        ...Object.fromEntries(relations.types.map((type) => [`relation_f1_${type}`, triples.perType[type]?.f1 ?? 0])),
      }),
    },
    perType: Object.fromEntries(types.map((type) => [type, strict.perType[type]?.f1 ?? 0])),
  }
}
