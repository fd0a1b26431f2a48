// One arm: build its adapter, train it when it has anything to train, evaluate it on the
// test split, and leave its predictions, adapter files and result in the output folder.
// A sweep member is trained alone first (its record in trained.json); only a selected one is
// then evaluated, from its saved adapter files.
import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { readPeftAdapter, restorePeftTensors, savePeftAdapter, trainableParameterCount, type Adapter } from "@peftlab/adapters-base"
import { emit, writeFileAtomic, type Rng } from "@peftlab/core"
import type { LanguageModel } from "@peftlab/evaluators"
import { writeConfusion, writePredictions, type ArmResult } from "@peftlab/reporters"
import type { ConcreteArm, ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { classBalanced, shuffled, train } from "@peftlab/trainer"
import type { ArmAdapter } from "./arms.ts"
import { classificationTraining, type ClassificationSetup } from "./classification-task.ts"
import type { EncodedExample, EncodedTask } from "./encode.ts"
import { evaluateTest, testPredictor } from "./evaluate.ts"
import { loadCheckpoint, saveCheckpoint } from "./checkpoint-files.ts"
import { adapterFolder, armFolder, armResultFile, armTrainedFile, type FinishedArm, type TrainedArm } from "./output-folder.ts"
import type { PeftlabRegistry } from "./registry/entries.ts"
import { extraMetrics } from "./registry/metrics.ts"

export interface ArmContext {
  readonly spec: ExperimentSpec
  readonly outDir: string
  readonly fingerprint: string
  readonly model: LanguageModel
  readonly tokenizer: Tokenizer
  readonly task: EncodedTask
  readonly encoded: { readonly train: ReadonlyArray<EncodedExample>; readonly val: ReadonlyArray<EncodedExample>; readonly test: ReadonlyArray<EncodedExample> }
  /** Where arm kinds and metrics are looked up. */
  readonly registry: PeftlabRegistry
}

/** The metrics shown for a finished arm, fresh or resumed. */
export const headlineMetrics = (result: ArmResult): Record<string, number> => ({
  accuracy: result.accuracy,
  macro_f1: result.macroF1,
  latency_p95_ms: result.latencyP95Ms,
  trainable_params: result.trainableParams,
  ...result.metrics,
})

/** The spec's training settings with the arm's own (and its sweep's) over them. */
export const trainingFor = (spec: ExperimentSpec, arm: ConcreteArm): ExperimentSpec["training"] => ({ ...spec.training, ...("training" in arm ? arm.training : {}) })

const setupFor = (context: ArmContext, arm: ConcreteArm, adapter: Adapter): ClassificationSetup => ({
  model: context.model,
  adapter,
  task: context.task,
  padId: context.tokenizer.padId,
  batchSize: trainingFor(context.spec, arm).batch_size,
})

/** Builds the arm's adapter for `use` and releases it (and any change to the base) afterwards. */
const withArmAdapter = <A, E, R>(context: ArmContext, arm: ConcreteArm, rng: Rng, use: (prepared: ArmAdapter) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.promise(() =>
      context.registry.get("adapters", arm.kind).create(arm, { model: context.model, tokenizer: context.tokenizer, rng, modelPath: context.spec.model.path }),
    ),
    (prepared) =>
      Effect.gen(function* () {
        if (prepared.note) yield* emit({ type: "log", level: "info", message: prepared.note })
        return yield* use(prepared)
      }),
    ({ release }) => Effect.sync(release),
  )

/** Trains (resuming from the arm's checkpoint) and saves the adapter in PEFT's files. */
const trainPhase = (context: ArmContext, arm: ConcreteArm, prepared: ArmAdapter, rng: Rng) =>
  Effect.gen(function* () {
    const { spec, outDir, encoded } = context
    const training = trainingFor(spec, arm)
    const checkpointDir = join(armFolder(outDir, arm.name), "checkpoint")
    const resumeFrom = yield* loadCheckpoint(checkpointDir)
    yield* emit({
      type: "arm-phase",
      arm: arm.name,
      phase: "training",
      ...(resumeFrom ? { detail: `resumed at step ${resumeFrom.steps.length}` } : {}),
    })
    const summary = yield* train(prepared.adapter.trainable, classificationTraining(setupFor(context, arm, prepared.adapter), encoded.train, encoded.val, training.select_by), {
      arm: arm.name,
      epochs: training.epochs,
      batchSize: training.batch_size,
      lr: training.lr,
      weightDecay: training.weight_decay,
      rng,
      gradientAccumulation: training.gradient_accumulation,
      warmupSteps: training.warmup_steps,
      decay: training.lr_schedule,
      maxGradNorm: training.max_grad_norm,
      patience: training.patience,
      sampler: training.sampler === "class_balanced" ? classBalanced((e: EncodedExample) => String(e.label)) : shuffled(),
      checkpoint: {
        ...(training.checkpoint_every ? { everySteps: training.checkpoint_every } : {}),
        // A stop request waits for the checkpoint being written, so none is left half-done.
        save: (c) => saveCheckpoint(checkpointDir, c).pipe(Effect.orDie, Effect.uninterruptible),
        ...(resumeFrom ? { resumeFrom } : {}),
      },
    })
    prepared.afterTraining?.()
    rmSync(checkpointDir, { recursive: true, force: true })
    yield* savePeftAdapter(adapterFolder(outDir, arm.name), prepared.adapter)
    return summary
  })

/** Evaluates on test and writes the finished arm: predictions, confusion matrix, result. */
const evaluatePhase = (context: ArmContext, arm: ConcreteArm, adapter: Adapter, training: FinishedArm["training"]) =>
  Effect.gen(function* () {
    const { spec, outDir, task, encoded } = context
    yield* emit({ type: "arm-phase", arm: arm.name, phase: "evaluating" })
    const evaluation = yield* evaluateTest(arm.name, setupFor(context, arm, adapter), encoded.test, testPredictor(spec, context.tokenizer))
    const { metrics, predictions } = evaluation
    const scores = predictions.map((p) => p.score)
    const extra = yield* extraMetrics(spec, context.registry, {
      gold: predictions.map((p) => p.gold),
      pred: predictions.map((p) => p.pred),
      labels: task.labels,
      // Generated answers have no label scores (NaN).
      ...(scores.some(Number.isNaN) ? {} : { scores }),
    })
    const result: ArmResult = {
      arm: arm.name,
      kind: arm.kind,
      n: metrics.n,
      accuracy: metrics.accuracy,
      macroF1: metrics.macroF1,
      perClassF1: Object.fromEntries(task.labels.map((label) => [label, metrics.perClass[label]?.f1 ?? 0])),
      latencyMeanMs: evaluation.latency.mean,
      latencyP95Ms: evaluation.latency.p95,
      trainableParams: trainableParameterCount(adapter),
      ...(Object.keys(extra).length > 0 ? { metrics: extra } : {}),
    }
    yield* Effect.promise(() => writePredictions(outDir, arm.name, predictions))
    yield* Effect.promise(() => writeConfusion(outDir, arm.name, task.labels, metrics.confusion))
    const finished: FinishedArm = {
      fingerprint: context.fingerprint,
      result,
      predictions,
      confusion: metrics.confusion,
      ...(training ? { training } : {}),
    }
    yield* Effect.promise(() => writeFileAtomic(armResultFile(outDir, arm.name), JSON.stringify(finished) + "\n"))
    yield* emit({ type: "arm-result", arm: arm.name, metrics: headlineMetrics(result) })
    yield* emit({ type: "arm-phase", arm: arm.name, phase: "done" })
    return finished
  })

/** An arm from start to finish. */
export const runArm = (context: ArmContext, arm: ConcreteArm, rng: Rng) =>
  withArmAdapter(context, arm, rng, (prepared) =>
    Effect.gen(function* () {
      // The frozen base (and any kind with nothing to train) goes straight to evaluation.
      const training = prepared.adapter.trainable.length > 0 ? yield* trainPhase(context, arm, prepared, rng) : undefined
      return yield* evaluatePhase(context, arm, prepared.adapter, training)
    }),
  )

/** A sweep member: trained, saved, and recorded for selection, but not evaluated on test. */
export const trainSweepMember = (context: ArmContext, arm: ConcreteArm, rng: Rng) =>
  withArmAdapter(context, arm, rng, (prepared) =>
    Effect.gen(function* () {
      const training = yield* trainPhase(context, arm, prepared, rng)
      const record: TrainedArm = { fingerprint: context.fingerprint, arm: arm.name, training }
      yield* Effect.promise(() => writeFileAtomic(armTrainedFile(context.outDir, arm.name), JSON.stringify(record) + "\n"))
      yield* emit({ type: "arm-phase", arm: arm.name, phase: "done", detail: "trained; test evaluation only if selected" })
      return record
    }),
  )

/** A selected sweep member, evaluated on test with the adapter it saved when trained. */
export const evaluateSweepMember = (context: ArmContext, arm: ConcreteArm, trained: TrainedArm, rng: Rng) =>
  withArmAdapter(context, arm, rng, (prepared) =>
    Effect.gen(function* () {
      prepared.afterTraining?.()
      yield* restorePeftTensors(prepared.adapter, yield* readPeftAdapter(adapterFolder(context.outDir, arm.name)))
      return yield* evaluatePhase(context, arm, prepared.adapter, trained.training)
    }),
  )
