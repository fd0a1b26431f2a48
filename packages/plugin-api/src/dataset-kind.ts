// A `data.kind` as a plugin registers it: the data files it reads (`data.path`, with the spec's
// field mapping and cleaning) and what it gives, labelled examples for a classification task,
// question-answer pairs for generative QA or sentences with entity spans for span extraction.
// Loading is an Effect: bad data fails with an InputError naming the file, field or line.
import type { Effect } from "effect"
import type { AnyInputError } from "@peftlab/core"
import type { ClassificationExample, Loaded, LoadReport, QAExample, SpanSentence } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"

export type DataFieldName = keyof ExperimentSpec["data"]["fields"]

/** A `data.kind`: reads `data.path` (with the spec's field mapping and cleaning) into labelled examples. */
export interface DatasetKind {
  readonly name: string
  /** The `data.fields` keys this kind reads; a spec must give the required ones and may give no others. */
  readonly fields: { readonly required: ReadonlyArray<DataFieldName>; readonly optional: ReadonlyArray<DataFieldName> }
  /** The examples in a fixed order and what was dropped and why; bad data fails with an InputError. */
  readonly load: (data: ExperimentSpec["data"]) => Effect.Effect<Loaded<ClassificationExample>, AnyInputError>
}

/** A `data.kind` of question-answer pairs, for a generative-qa task. */
export interface QADatasetKind {
  readonly name: string
  readonly produces: "qa"
  readonly fields: DatasetKind["fields"]
  readonly load: (data: ExperimentSpec["data"]) => Effect.Effect<Loaded<QAExample>, AnyInputError>
}

/** A `data.kind` of sentences with entity spans, for a span-extraction task. */
export interface SpanDatasetKind {
  readonly name: string
  readonly produces: "spans"
  readonly fields: DatasetKind["fields"]
  readonly load: (data: ExperimentSpec["data"]) => Effect.Effect<{ readonly sentences: Array<SpanSentence>; readonly report: LoadReport }, AnyInputError>
}

export type AnyDatasetKind = DatasetKind | QADatasetKind | SpanDatasetKind

/** What a data kind gives: labelled examples, question-answer pairs or sentences with spans. */
export const producedBy = (kind: AnyDatasetKind): "labels" | "qa" | "spans" => ("produces" in kind ? kind.produces : "labels")

export const isLabelDatasetKind = (kind: AnyDatasetKind): kind is DatasetKind => producedBy(kind) === "labels"

export const isQADatasetKind = (kind: AnyDatasetKind): kind is QADatasetKind => producedBy(kind) === "qa"

export const isSpanDatasetKind = (kind: AnyDatasetKind): kind is SpanDatasetKind => producedBy(kind) === "spans"
