// Span-extraction data: the `bio` (CoNLL-style tags) and `jsonl-spans` (character offsets)
// data kinds, then a seeded train/val/test split of whole sentences (stratified, when asked,
// by whether a sentence has any concept) and the spec's per-split limits. The entity types
// asked about are those of the training split. With task.relations, the data's relations must
// join the entity types the spec gives each relation type; evaluation.external_test is read and
// cleaned the same way (its own kind and fields where given), never split, cut to data.limit.test.
import { createHash } from "node:crypto"
import { Effect } from "effect"
import type { RegistryError } from "@peftlab/core"
import { entityTypes, loadBioSpans, loadJsonlSpans, seededSplit, type LoadReport, type SpanSentence } from "@peftlab/datasets"
import { isSpanExtraction, type ExperimentSpec } from "@peftlab/spec"
import { SpecDataMismatch } from "../../spec-data-mismatch.ts"
import { emptySplitError } from "../../empty-split.ts"
import { emptyExternalError, externalSourceOf } from "../external-test.ts"
import { isSpanDatasetKind, Registry, type SpanDatasetKind } from "@peftlab/plugin-api"

type Data = ExperimentSpec["data"]

/** Drops sentences whose text is empty or repeats an earlier one, as data.cleaning asks, counting them. */
const cleaned = (data: Data, loaded: { sentences: Array<SpanSentence>; report: LoadReport }) => {
  const dropped: Record<string, number> = { ...loaded.report.dropped }
  const seen = new Set<string>()
  const drop = (reason: string) => {
    dropped[reason] = (dropped[reason] ?? 0) + 1
    return false
  }
  const sentences = loaded.sentences.filter((s) => {
    if (data.cleaning.drop_empty && s.text.trim() === "") return drop("empty text")
    if (data.cleaning.dedupe && seen.has(s.text)) return drop("duplicate text")
    seen.add(s.text)
    return true
  })
  return { sentences, report: { ...loaded.report, kept: sentences.length, dropped } }
}

export const bioKind: SpanDatasetKind = {
  name: "bio",
  produces: "spans",
  fields: { required: [], optional: [] },
  load: (data) => Effect.map(loadBioSpans(data.path), (loaded) => cleaned(data, loaded)),
}

export const jsonlSpansKind: SpanDatasetKind = {
  name: "jsonl-spans",
  produces: "spans",
  // context: the key of the sentence text (default "text"); id: of its id.
  fields: { required: [], optional: ["context", "id"] },
  load: (data) =>
    Effect.map(
      loadJsonlSpans(data.path, { fields: { ...(data.fields.context && { text: data.fields.context }), ...(data.fields.id && { id: data.fields.id }) } }),
      (loaded) => cleaned(data, loaded),
    ),
}

export interface SpanSplits {
  readonly train: ReadonlyArray<SpanSentence>
  readonly val: ReadonlyArray<SpanSentence>
  readonly test: ReadonlyArray<SpanSentence>
}

/** The evaluation-only sentences of evaluation.external_test, and where they came from. */
export interface ExternalSentences {
  readonly path: string
  readonly sentences: ReadonlyArray<SpanSentence>
}

// Relations join the hash only where there are any, so data without them keeps the hash it had.
const spanDataHash = (sentences: ReadonlyArray<SpanSentence>, external?: ExternalSentences): string => {
  const hash = createHash("sha256").update(JSON.stringify(sentences.map((s) => [s.id, s.text, s.entities.map((e) => [e.type, e.start, e.end])])))
  const relations = sentences.flatMap((s) => (s.relations ?? []).map((r) => [s.id, r.type, r.head.start, r.head.end, r.tail.start, r.tail.end]))
  if (relations.length > 0) hash.update(JSON.stringify(relations))
  if (external) hash.update(spanDataHash(external.sentences))
  return hash.digest("hex")
}

/** The spec's span data kind (data.kind, or `kind`) from the run's Registry, loaded from `data` and cleaned, its ids checked distinct. */
const loadSentences = (data: Data, kindName: string) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    const kind = yield* Effect.try({ try: () => registry.get("datasets", kindName), catch: (error) => error as RegistryError })
    // The registry check has matched the data kind to the task (checkRegisteredNames).
    if (!isSpanDatasetKind(kind)) return yield* Effect.die(new Error(`data.kind ${kind.name} gives no entity spans`))
    const loaded = yield* kind.load(data)
    const ids = new Set(loaded.sentences.map((s) => s.id))
    if (ids.size < loaded.sentences.length) {
      return yield* Effect.fail(new SpecDataMismatch({ source: data.path, detail: "sentence ids repeat; give every sentence its own id" }))
    }
    return loaded
  })

/**
 * Each gold relation of a type the spec names must join the entity types the spec gives it (a
 * Drug head, an ADE tail), or its questions could never be asked or answered; the first that
 * does not fails naming the file, sentence and relation.
 */
const relationTypeIssue = (path: string, task: ExperimentSpec["task"], sentences: ReadonlyArray<SpanSentence>): SpecDataMismatch | undefined => {
  if (!isSpanExtraction(task) || !task.relations) return undefined
  const { types } = task.relations
  for (const sentence of sentences) {
    for (const relation of sentence.relations ?? []) {
      const spec = Object.hasOwn(types, relation.type) ? types[relation.type] : undefined
      if (spec && (spec.head !== relation.head.type || spec.tail !== relation.tail.type)) {
        const detail = `sentence ${JSON.stringify(sentence.id)}: relation ${relation.type} joins a ${relation.head.type} head to a ${relation.tail.type} tail, but task.relations.types.${relation.type} says head ${spec.head}, tail ${spec.tail}`
        return new SpecDataMismatch({ source: path, detail })
      }
    }
  }
  return undefined
}

/** The training split must hold a relation of a type the spec names, or there is nothing to learn to extract. */
const noRelationsIssue = (path: string, task: ExperimentSpec["task"], train: ReadonlyArray<SpanSentence>): SpecDataMismatch | undefined => {
  if (!isSpanExtraction(task) || !task.relations) return undefined
  const types = task.relations.types
  if (train.some((s) => (s.relations ?? []).some((r) => Object.hasOwn(types, r.type)))) return undefined
  const detail = `task.relations names ${Object.keys(types).join(", ")}, but the training split has no relation of ${Object.keys(types).length > 1 ? "these types" : "this type"}: give data with "relations" (jsonl-spans, see README.md)`
  return new SpecDataMismatch({ source: path, detail })
}

/** evaluation.external_test's sentences: read and cleaned as data is (with its own kind and fields where given), cut to data.limit.test. */
const loadExternal = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const source = externalSourceOf(spec)
    if (source === undefined) return undefined
    const { path } = source.data
    const { sentences, report } = yield* loadSentences(source.data, source.kind)
    if (sentences.length === 0) return yield* Effect.fail(emptyExternalError(path, report, "sentences"))
    const mismatch = relationTypeIssue(path, spec.task, sentences)
    if (mismatch) return yield* Effect.fail(mismatch)
    return { path, sentences: sentences.slice(0, spec.data.limit?.test ?? sentences.length) }
  })

/** Loads the spec's span data (data.kind looked up in the run's Registry), splits and limits it; `labels` are the entity types. */
export const prepareSpanData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const { sentences, report } = yield* loadSentences(data, data.kind)
    const full = seededSplit(sentences, data.split, data.split.seed, data.split.stratify ? (s) => String(s.entities.length > 0) : undefined)
    const limit = (split: keyof SpanSplits) => full[split].slice(0, data.limit?.[split] ?? full[split].length)
    const splits: SpanSplits = { train: limit("train"), val: limit("val"), test: limit("test") }
    const empty = emptySplitError(data.path, splits, sentences.length, report, "sentences")
    if (empty) return yield* Effect.fail(empty)
    const labels = entityTypes([...splits.train])
    if (labels.length === 0) {
      return yield* Effect.fail(new SpecDataMismatch({ source: data.path, detail: "the training split has no entity spans: there is nothing to learn to extract" }))
    }
    const mismatch = relationTypeIssue(data.path, spec.task, sentences) ?? noRelationsIssue(data.path, spec.task, splits.train)
    if (mismatch) return yield* Effect.fail(mismatch)
    const external = yield* loadExternal(spec)
    return { splits, labels, report, hash: spanDataHash(sentences, external), ...(external && { external }) }
  })
