// One arm: build its adapter, train it when it has anything to train, evaluate it on the
// test split, and leave its predictions, adapter files and result in the output folder.
// A sweep member is trained alone first (its record in trained.json); only a selected one is
// then evaluated, from its saved adapter files.
import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { readPeftAdapter, restorePeftTensors, savePeftAdapter, type Adapter } from "@peftlab/adapters-base"
import { emit, writeFileAtomic, type FileSystemError, type Rng } from "@peftlab/core"
import type { BaseModel, ModelFileError } from "@peftlab/models"
import type { ConcreteArm, ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { train, type TrainConfig } from "@peftlab/trainer"
import type { ArmAdapter } from "./arms.ts"
import type { ArmTask } from "./arm-task.ts"
import { requireAdapterFolder } from "./adapter-arms/adapter-folder.ts"
import { initFromOf } from "./adapter-arms/references.ts"
import type { ArmReplicaInit } from "./parallel/replica-init.ts"
import { withDataParallel } from "./parallel/with-data-parallel.ts"
import { loadCheckpoint, saveCheckpoint } from "./checkpoint-files.ts"
import { withFrozenActivationCache } from "./frozen-activations.ts"
import { testPassHere, testPassOnWorkers } from "./test-pass.ts"
import { adapterFolder, armFolder, armResultFile, armTrainedFile, type FinishedArm, type TrainedArm } from "./output-folder.ts"
import { Registry } from "@peftlab/plugin-api"
import { adapterKindOf } from "./registry/methods.ts"

export interface ArmContext {
  readonly spec: ExperimentSpec
  readonly outDir: string
  readonly fingerprint: string
  readonly model: BaseModel
  readonly tokenizer: Tokenizer
  /** How arms train and are evaluated on the spec's task. */
  readonly task: ArmTask
  /** What data-parallel workers rebuild the run from (training.workers > 1); absent, arms train and are tested here. */
  readonly replica?: Omit<ArmReplicaInit, "arm" | "phase">
}

/** The spec's training settings with the arm's own (and its sweep's) over them. */
export const trainingFor = (spec: ExperimentSpec, arm: ConcreteArm): ExperimentSpec["training"] => ({ ...spec.training, ...("training" in arm ? arm.training : {}) })

/**
 * Builds the arm's adapter (with what its task trains beside it) for `use`, and releases it
 * (and any change to the base) afterwards.
 */
const withArmAdapter = <A, E, R>(context: ArmContext, arm: ConcreteArm, rng: Rng, use: (prepared: ArmAdapter) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.gen(function* () {
      const { model, tokenizer, spec } = context
      // Arm kinds: the spec's own, else the run's registered methods.
      const registry = yield* Registry
      const created = yield* Effect.promise(() => adapterKindOf(registry, arm.kind).create(arm, { model, tokenizer, rng, modelPath: spec.model.path, methods: registry.entries("methods") }))
      if (!context.task.prepare) return created
      // The task's modules are made after the adapter, so it draws from the generator as before.
      return yield* context.task.prepare(created, rng).pipe(Effect.onError(() => Effect.sync(created.release)))
    }),
    (prepared) =>
      Effect.gen(function* () {
        if (prepared.note) yield* emit({ type: "log", level: "info", message: prepared.note })
        return yield* use(prepared)
      }),
    ({ release }) => Effect.sync(release),
  )

/** An arm with init_from starts from that adapter's weights (the run checked that its config agrees). */
const startFromInitFrom = (arm: ConcreteArm, adapter: Adapter) =>
  Effect.gen(function* () {
    const initFrom = initFromOf(arm)
    if (initFrom === undefined) return
    const dir = yield* requireAdapterFolder(initFrom, `arm ${arm.name}: init_from`)
    yield* restorePeftTensors(adapter, yield* readPeftAdapter(dir))
    yield* emit({ type: "log", level: "info", message: `${arm.name}: starts from the adapter in ${dir}` })
  })

/**
 * Trains (from init_from's weights, when the arm names one, and resuming from the arm's
 * checkpoint) and saves the adapter in PEFT's files.
 */
const trainPhase = (context: ArmContext, arm: ConcreteArm, prepared: ArmAdapter, rng: Rng) =>
  Effect.gen(function* () {
    const { spec, outDir } = context
    const training = trainingFor(spec, arm)
    yield* startFromInitFrom(arm, prepared.adapter)
    const checkpointDir = join(armFolder(outDir, arm.name), "checkpoint")
    const resumeFrom = yield* loadCheckpoint(checkpointDir)
    yield* emit({
      type: "arm-phase",
      arm: arm.name,
      phase: "training",
      ...(resumeFrom ? { detail: `resumed at step ${resumeFrom.steps.length}` } : {}),
    })
    const { task, sampler } = context.task.training(arm, prepared.adapter, training)
    const config: TrainConfig<unknown, ModelFileError | FileSystemError> = {
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
      checkpoint: {
        ...(training.checkpoint_every ? { everySteps: training.checkpoint_every } : {}),
        // A stop request waits for the checkpoint being written, so none is left half-done.
        save: (c) => saveCheckpoint(checkpointDir, c).pipe(Effect.uninterruptible),
        ...(resumeFrom ? { resumeFrom } : {}),
      },
      sampler,
    }
    // LoRA+'s parameter groups (an adapter's learningRateScales), else every variable at lr.
    const lrScales = prepared.adapter.learningRateScales?.()
    // Data-parallel workers compute the gradients on their own models: the cache serves only a step taken here.
    const summary = yield* withDataParallel(context.replica && { ...context.replica, arm, phase: "training" }, training.workers, (parallel) => {
      const trainingRun = train(prepared.adapter.trainable, task, { ...config, ...(parallel && { parallel }), ...(lrScales && { lrScales }) })
      return parallel ? trainingRun : withFrozenActivationCache(arm.name, context.model, training.activation_cache_mb, trainingRun)
    })
    prepared.afterTraining?.()
    rmSync(checkpointDir, { recursive: true, force: true })
    yield* savePeftAdapter(adapterFolder(outDir, arm.name), prepared.adapter)
    return summary
  })

/**
 * Evaluates on test and writes the finished arm: its per-example files and result. With
 * training.workers > 1 the test pass runs on that many workers, built for the trained adapter.
 */
const evaluatePhase = (context: ArmContext, arm: ConcreteArm, adapter: Adapter, training: FinishedArm["training"]) =>
  Effect.gen(function* () {
    const { spec, outDir } = context
    const settings = trainingFor(spec, arm)
    const workers = context.replica ? settings.workers : 1
    yield* emit({ type: "arm-phase", arm: arm.name, phase: "evaluating", ...(workers > 1 ? { detail: `on ${workers} workers` } : {}) })
    const evaluation = yield* withDataParallel(context.replica && { ...context.replica, arm, phase: "test" }, workers, (pool) =>
      context.task.evaluate(arm, adapter, settings, outDir, pool ? testPassOnWorkers(arm.name, pool, adapter.trainable) : testPassHere(arm.name)),
    )
    const finished: FinishedArm = { fingerprint: context.fingerprint, ...evaluation, ...(training ? { training } : {}) }
    yield* Effect.promise(() => writeFileAtomic(armResultFile(outDir, arm.name), JSON.stringify(finished) + "\n"))
    yield* emit({ type: "arm-result", arm: arm.name, metrics: context.task.headline(evaluation.result) })
    yield* emit({ type: "arm-phase", arm: arm.name, phase: "done" })
    return finished
  })

/** An arm from start to finish. */
export const runArm = (context: ArmContext, arm: ConcreteArm, rng: Rng) =>
  withArmAdapter(context, arm, rng, (prepared) =>
    Effect.gen(function* () {
      // The frozen base, an existing adapter (and any kind with nothing to train) go straight to evaluation.
      const training = prepared.adapter.trainable.length > 0 && !prepared.fixed ? yield* trainPhase(context, arm, prepared, rng) : undefined
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
