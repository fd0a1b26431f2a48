// The contract of a task kind (classification, generative QA, span extraction): everything the
// runner, its registry checks, the reports and `peftlab predict` do differently by kind. Each
// kind's folder exports one (classification/classification-task-kind.ts and its siblings), and
// task-kinds.ts chooses it by task.kind, the one place that does.
import type { Effect, Scope } from "effect"
import type { AnyInputError, Events, TruncationCounts } from "@peftlab/core"
import type { LoadReport } from "@peftlab/datasets"
import type { LanguageModel } from "@peftlab/evaluators"
import type { EncoderModel, SharedMatrices } from "@peftlab/models"
import type { Comparison, FiguresInput, HtmlExamples } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import type { ArmTask } from "../arm-task.ts"
import type { FinishedArm } from "../output-folder.ts"
import type { PredictInputs, PredictionLine, PredictSetup } from "../predict/predict-inputs.ts"
import type { FinishedRun, producedBy, Registry } from "@peftlab/plugin-api"

export interface ModelInputs {
  readonly tokenizer: Tokenizer
  readonly modelDir: string
  /** The main thread's frozen matrices, which a worker's replica uses in place of loading its own (see arm-replica.ts). */
  readonly shared?: SharedMatrices
}

/** The task's model, the ArmTask every arm runs with, and how many inputs were cut to fit training.max_length. */
export interface LoadedTask {
  readonly model: LanguageModel | EncoderModel
  readonly task: ArmTask
  readonly truncation: TruncationCounts
}

type Items = ReadonlyArray<{ readonly id: string }>

/** The task's data (loaded, split, hashed before the model is touched), and how to load its model and build its ArmTask. */
export interface PreparedTask {
  readonly splits: { readonly train: Items; readonly val: Items; readonly test: Items }
  /** The labels (classification) or entity types (span extraction); none for generative QA. */
  readonly labels: ReadonlyArray<string>
  readonly report: LoadReport
  readonly hash: string
  readonly load: (inputs: ModelInputs) => Effect.Effect<LoadedTask, AnyInputError, Events | Scope.Scope>
}

export interface TaskKind {
  /** task.kind as a spec writes it (classification when absent). */
  readonly name: "classification" | "generative-qa" | "span-extraction"
  /** What its data kind must give (checked by registry/check-spec.ts), and how a message names it. */
  readonly data: { readonly produces: ReturnType<typeof producedBy>; readonly described: string }
  /** The only names evaluation.metrics may list (its results show them all); absent: the standard columns and the registered metrics. */
  readonly fixedMetrics?: ReadonlyArray<string>
  /** The metric a run's summary judges arms by, for report.md and report.html alike. */
  readonly headlineMetric: string
  /** The task's data, its data kind looked up in the run's Registry (whose methods also place the model). */
  readonly prepare: (spec: ExperimentSpec) => Effect.Effect<PreparedTask, AnyInputError, Registry>
  /** Every finished arm against the spec's baseline, with the task's own tests. */
  readonly compare: (spec: ExperimentSpec, labels: ReadonlyArray<string>, finished: ReadonlyArray<FinishedArm>) => Array<Comparison>
  /** results.csv and results.md (the `results` reporter). */
  readonly writeResults: (outDir: string, run: FinishedRun) => Promise<void>
  /** What the figures are drawn from, less the bootstrap settings every kind shares (reports/figures-input.ts). */
  readonly figures: (run: FinishedRun) => Omit<FiguresInput, "bootstrap">
  /** report.html's test examples: per arm, one row per test example in the same order. */
  readonly htmlExamples: (outDir: string, run: FinishedRun) => HtmlExamples
  /** `peftlab predict`'s line for every example of the data file; absent where predict does not cover the kind. */
  readonly predictLines?: (inputs: PredictInputs, tokenizer: Tokenizer, setup: PredictSetup) => Effect.Effect<Array<PredictionLine>, AnyInputError, Registry>
}
