// Span-extraction data: the `bio` (CoNLL-style tags) and `jsonl-spans` (character offsets)
// data kinds, then a seeded train/val/test split of whole sentences (stratified, when asked,
// by whether a sentence has any concept) and the spec's per-split limits. The entity types
// asked about are those of the training split.
import { createHash } from "node:crypto"
import { Effect } from "effect"
import type { RegistryError } from "@peftlab/core"
import { entityTypes, loadBioSpans, loadJsonlSpans, seededSplit, type LoadReport, type SpanSentence } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { SpecDataMismatch } from "../../spec-data-mismatch.ts"
import { emptySplitError } from "../../empty-split.ts"
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

const spanDataHash = (sentences: ReadonlyArray<SpanSentence>): string =>
  createHash("sha256").update(JSON.stringify(sentences.map((s) => [s.id, s.text, s.entities.map((e) => [e.type, e.start, e.end])]))).digest("hex")

/** Loads the spec's span data (data.kind looked up in the run's Registry), splits and limits it; `labels` are the entity types. */
export const prepareSpanData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const registry = yield* Registry
    const kind = yield* Effect.try({ try: () => registry.get("datasets", data.kind), catch: (error) => error as RegistryError })
    // The registry check has matched the data kind to the task (checkRegisteredNames).
    if (!isSpanDatasetKind(kind)) return yield* Effect.die(new Error(`data.kind ${kind.name} gives no entity spans`))
    const { sentences, report } = yield* kind.load(data)
    const ids = new Set(sentences.map((s) => s.id))
    if (ids.size < sentences.length) {
      return yield* Effect.fail(new SpecDataMismatch({ source: data.path, detail: "sentence ids repeat; give every sentence its own id" }))
    }
    const full = seededSplit(sentences, data.split, data.split.seed, data.split.stratify ? (s) => String(s.entities.length > 0) : undefined)
    const limit = (split: keyof SpanSplits) => full[split].slice(0, data.limit?.[split] ?? full[split].length)
    const splits: SpanSplits = { train: limit("train"), val: limit("val"), test: limit("test") }
    const empty = emptySplitError(data.path, splits, sentences.length, report, "sentences")
    if (empty) return yield* Effect.fail(empty)
    const labels = entityTypes([...splits.train])
    if (labels.length === 0) {
      return yield* Effect.fail(new SpecDataMismatch({ source: data.path, detail: "the training split has no entity spans: there is nothing to learn to extract" }))
    }
    return { splits, labels, report, hash: spanDataHash(sentences) }
  })
