// Relation extraction in the reading-comprehension style (Li et al. 2019, "Entity-Relation
// Extraction as Multi-Turn Question Answering"): once a sentence's entities are known, each
// entity of a relation's head type is asked one question per relation ("Which ADE is ADE-Drug
// of aspirin?"), answered with the tail spans by the same span head as the entity questions.
// Training asks about the gold heads; extraction asks about the predicted ones.
import type { SpanQuestion } from "./questions.ts"
import type { CharRange, EntityRelation, EntitySpan, SpanSentence } from "./span-sentence.ts"

/** A relation type: the entity types of its head and tail, and optionally its own question template. */
export interface RelationType {
  readonly head: string
  readonly tail: string
  readonly question?: string | undefined
}

/** A relation question: which tails of `relation` the head entity has. Its `type` is the tail's entity type. */
export interface RelationQuestion extends SpanQuestion {
  readonly relation: string
  readonly head: EntitySpan
}

/** The placeholders a relation question template may hold. */
export const relationPlaceholders = ["relation", "head", "head_type", "tail_type"] as const

export const defaultRelationTemplate = "Which {tail_type} is {relation} of {head}?"

/**
 * One question per relation type (in `relations` order) and entity of its head type among
 * `heads` (in their order), about `sentence`: `{relation}`, `{head}` (the head entity's text),
 * `{head_type}` and `{tail_type}` filled in the relation's own template or else `template`.
 * Its answers are the tails of the sentence's gold relations of that type from that head (none
 * where the head is not a gold one), so the same questions train on gold heads and extract on
 * predicted ones.
 */
export const toRelationQuestions = (
  sentence: SpanSentence,
  heads: ReadonlyArray<EntitySpan>,
  relations: Readonly<Record<string, RelationType>>,
  template: string = defaultRelationTemplate,
): Array<RelationQuestion> =>
  Object.entries(relations).flatMap(([relation, { head: headType, tail: tailType, question }]) =>
    distinct(heads.filter((head) => head.type === headType)).map((head) => {
      // One pass, so a head whose text looks like a placeholder stays as written.
      const values: Record<string, string> = { relation, head: sentence.text.slice(head.start, head.end), head_type: headType, tail_type: tailType }
      const text = (question ?? template).replace(placeholder, (match, name: string) => values[name] ?? match)
      const answers = new Map<string, CharRange>()
      for (const gold of sentence.relations ?? []) {
        if (gold.type === relation && sameSpan(gold.head, head) && gold.tail.type === tailType) answers.set(`${gold.tail.start}:${gold.tail.end}`, { start: gold.tail.start, end: gold.tail.end })
      }
      return {
        id: `${sentence.id}:${relation}:${head.start}-${head.end}`,
        sentenceId: sentence.id,
        type: tailType,
        question: text,
        context: sentence.text,
        answers: [...answers.values()].sort((a, b) => a.start - b.start || a.end - b.end),
        relation,
        head,
      }
    }),
  )

const placeholder = new RegExp(`\\{(${relationPlaceholders.join("|")})\\}`, "g")

const distinct = (spans: ReadonlyArray<EntitySpan>): Array<EntitySpan> => [...new Map(spans.map((s) => [`${s.start}:${s.end}`, s])).values()]

const sameSpan = (a: EntitySpan, b: EntitySpan): boolean => a.type === b.type && a.start === b.start && a.end === b.end

/** The triples a relation question's decoded tail spans make with its head. */
export const relationTriples = (question: Pick<RelationQuestion, "relation" | "head">, tails: ReadonlyArray<EntitySpan>): Array<EntityRelation> =>
  tails.map((tail) => ({ type: question.relation, head: question.head, tail }))
