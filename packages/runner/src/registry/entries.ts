// What each category of the runner's registry holds. Built-ins (builtins.ts) and plugins
// (plugins.ts) register entries of these shapes; the spec names them (data.kind,
// evaluation.metrics, backend, arm kinds) and every registered reporter writes its files.
import type { Effect } from "effect"
import type { AnyInputError, BackendPlugin, Registry, TruncationCounts } from "@peftlab/core"
import type { ClassificationExample, Loaded, LoadReport, QAExample, SpanSentence } from "@peftlab/datasets"
import type { MethodPlugin } from "@peftlab/plugin-api"
import type { Comparison } from "@peftlab/reporters"
import type { ConcreteArm, ExperimentSpec } from "@peftlab/spec"
import type { AdapterContext, ArmAdapter } from "../arms.ts"
import type { FinishedArm } from "../output-folder.ts"
import type { Selection } from "../selection.ts"

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

/** An arm `kind`: builds the adapter that an arm of that kind trains and evaluates. */
export interface AdapterKind {
  readonly name: string
  readonly create: (arm: ConcreteArm, context: AdapterContext) => Promise<ArmAdapter>
}

/** What a metric sees of one arm's test predictions, in the same example order throughout. */
export interface MetricInput {
  readonly gold: ReadonlyArray<string>
  /** Predicted labels; a generated answer that names no label is "(unparsed)", outside `labels`. */
  readonly pred: ReadonlyArray<string>
  /** The task's labels, in task.labels order. */
  readonly labels: ReadonlyArray<string>
  /** Each prediction's probability (softmax over the label scores); absent when evaluation.mode is generate. */
  readonly scores?: ReadonlyArray<number>
}

/** An `evaluation.metrics` name: one number per arm, in its own column of results.csv. */
export interface Metric {
  readonly name: string
  /** Needs `scores`, which only label scoring gives: refused with evaluation.mode generate. */
  readonly needsScores?: boolean
  /** Throws an InputError (e.g. MetricInputError) for predictions it cannot score. */
  readonly compute: (input: MetricInput) => number
}

/** Everything a finished run produced, for reporters. */
export interface FinishedRun {
  readonly spec: ExperimentSpec
  /** The results folder's fingerprint (manifest.json): what computed it, for trackers' run ids. */
  readonly fingerprint: string
  readonly labels: ReadonlyArray<string>
  /** The arms evaluated on test, in spec order. */
  readonly finished: ReadonlyArray<FinishedArm>
  readonly comparisons: ReadonlyArray<Comparison>
  /** One per swept arm whose configuration was selected by validation. */
  readonly selections: ReadonlyArray<Selection>
  /** Inputs cut to fit training.max_length; absent in a folder written before they were counted. */
  readonly truncation?: TruncationCounts
}

/** Writes files into the results folder once every arm is done; every registered reporter runs. */
export interface Reporter {
  readonly name: string
  readonly write: (outDir: string, run: FinishedRun) => Promise<void>
}

/** A `backend` name: its plugin, imported only when chosen or listed, so a missing one breaks nothing else. */
export interface BackendEntry {
  readonly name: string
  readonly load: () => Promise<BackendPlugin>
}

// A type, not an interface: the registry needs an index-signature-compatible record.
export type PeftlabCategories = {
  readonly datasets: AnyDatasetKind
  readonly adapters: AdapterKind
  /** Arm kinds that plugins add: PEFT methods in @peftlab/plugin-api's form. */
  readonly methods: MethodPlugin<any>
  readonly metrics: Metric
  readonly reporters: Reporter
  readonly backends: BackendEntry
}

export const registryCategories: ReadonlyArray<keyof PeftlabCategories> = ["datasets", "adapters", "methods", "metrics", "reporters", "backends"]

export type PeftlabRegistry = Registry<PeftlabCategories>
