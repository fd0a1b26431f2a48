// What a task kind (tasks/: classification, generative QA, span extraction) gives the arm
// runner: how an adapter is trained on it, and how a trained (or frozen) adapter is evaluated on
// test. run-arm.ts does the rest (adapters, checkpoints, resumes, sweeps) the same way for every task.
import type { Effect } from "effect"
import type { Adapter } from "@peftlab/adapters-base"
import type { AnyInputError, Rng } from "@peftlab/core"
import type { ArmResult, PredictionRow } from "@peftlab/reporters"
import type { ConcreteArm, ExperimentSpec } from "@peftlab/spec"
import type { Events } from "@peftlab/core"
import type { Registry } from "@peftlab/plugin-api"
import type { Sampler, TrainingTask } from "@peftlab/trainer"
import type { ArmAdapter } from "./arms.ts"
import type { GenerationRow } from "./tasks/generative-qa/qa-task.ts"
import type { ExtractionRow } from "./tasks/span-extraction/extraction-row.ts"
import type { RunTestPass, TestPass } from "./test-pass.ts"

export type TrainingSettings = ExperimentSpec["training"]

/** What an arm trains on: the task's examples, loss and validation, and the order it draws them in. */
export interface ArmTraining {
  readonly task: TrainingTask<unknown>
  readonly sampler: Sampler<unknown>
}

/** What result.json keeps of an arm's test evaluation. */
export interface ArmEvaluation {
  readonly result: ArmResult
  /** Classification: one predicted label per test example (empty for generative QA). */
  readonly predictions: ReadonlyArray<PredictionRow>
  readonly confusion: ReadonlyArray<ReadonlyArray<number>>
  /** Generative QA: each test example's generated answer and per-example scores. */
  readonly generations?: ReadonlyArray<GenerationRow>
  /** Span extraction: each test sentence's gold and predicted spans. */
  readonly extractions?: ReadonlyArray<ExtractionRow>
}

export interface ArmTask {
  /** Adds what the task trains beside the arm's adapter (a task head, PEFT's modules_to_save); none by default. */
  readonly prepare?: (prepared: ArmAdapter, rng: Rng) => Effect.Effect<ArmAdapter, AnyInputError>
  /**
   * How `adapter` trains on the task's training split, validating each epoch on its validation
   * split (run-arm.ts trains it, in this thread or on data-parallel workers that build the same).
   */
  readonly training: (arm: ConcreteArm, adapter: Adapter, settings: TrainingSettings) => ArmTraining
  /**
   * The test items and how `adapter` predicts one: what `evaluate` runs through `runTest`, and
   * what a data-parallel worker (which builds the same task) predicts for the indices it is sent.
   */
  readonly testPass: (arm: ConcreteArm, adapter: Adapter, settings: TrainingSettings) => TestPass<unknown>
  /**
   * Evaluates `adapter` on test (its test pass run by `runTest`, here or on workers), writes the
   * arm's per-example files into `outDir`, and returns its result (extra metrics from the run's Registry).
   */
  readonly evaluate: (arm: ConcreteArm, adapter: Adapter, settings: TrainingSettings, outDir: string, runTest: RunTestPass) => Effect.Effect<ArmEvaluation, AnyInputError, Events | Registry>
  /** The metrics shown for a finished arm. */
  readonly headline: (result: ArmResult) => Record<string, number>
}
