// One arm: build its adapter, train it when it has anything to train, evaluate it on the
// test split, and leave its predictions, adapter files and result in the output folder.
import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { savePeftAdapter, trainableParameterCount } from "@peftlab/adapters-base"
import { emit, writeFileAtomic, type Rng } from "@peftlab/core"
import type { LanguageModel } from "@peftlab/evaluators"
import { writeConfusion, writePredictions, type ArmResult } from "@peftlab/reporters"
import type { ArmSpec, ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { classBalanced, shuffled, train } from "@peftlab/trainer"
import { createAdapter, isTrainable } from "./arms.ts"
import { classificationTraining, type ClassificationSetup } from "./classification-task.ts"
import type { EncodedExample, EncodedTask } from "./encode.ts"
import { evaluateTest, testPredictor } from "./evaluate.ts"
import { loadCheckpoint, saveCheckpoint } from "./checkpoint-files.ts"
import { adapterFolder, armFolder, armResultFile, type FinishedArm } from "./output-folder.ts"

export interface ArmContext {
  readonly spec: ExperimentSpec
  readonly outDir: string
  readonly fingerprint: string
  readonly model: LanguageModel
  readonly tokenizer: Tokenizer
  readonly task: EncodedTask
  readonly encoded: { readonly train: ReadonlyArray<EncodedExample>; readonly val: ReadonlyArray<EncodedExample>; readonly test: ReadonlyArray<EncodedExample> }
}

/** The metrics shown for a finished arm, fresh or resumed. */
export const headlineMetrics = (result: ArmResult): Record<string, number> => ({
  accuracy: result.accuracy,
  macro_f1: result.macroF1,
  latency_p95_ms: result.latencyP95Ms,
  trainable_params: result.trainableParams,
})

export const runArm = (context: ArmContext, arm: ArmSpec, rng: Rng) =>
  Effect.acquireUseRelease(
    Effect.promise(() => createAdapter(arm, context.model, context.tokenizer, rng, context.spec.model.path)),
    ({ adapter, note, afterTraining }) =>
      Effect.gen(function* () {
        if (note) yield* emit({ type: "log", level: "info", message: note })
        const { spec, outDir, task, encoded } = context
        const setup: ClassificationSetup = {
          model: context.model,
          adapter,
          task,
          padId: context.tokenizer.padId,
          batchSize: spec.training.batch_size,
        }
        let training: FinishedArm["training"]
        if (isTrainable(arm)) {
          const checkpointDir = join(armFolder(outDir, arm.name), "checkpoint")
          const resumeFrom = yield* loadCheckpoint(checkpointDir)
          yield* emit({
            type: "arm-phase",
            arm: arm.name,
            phase: "training",
            ...(resumeFrom ? { detail: `resumed at step ${resumeFrom.steps.length}` } : {}),
          })
          const summary = yield* train(adapter.trainable, classificationTraining(setup, encoded.train, encoded.val, spec.training.select_by), {
            arm: arm.name,
            epochs: spec.training.epochs,
            batchSize: spec.training.batch_size,
            lr: spec.training.lr,
            weightDecay: spec.training.weight_decay,
            rng,
            gradientAccumulation: spec.training.gradient_accumulation,
            warmupSteps: spec.training.warmup_steps,
            decay: spec.training.lr_schedule,
            maxGradNorm: spec.training.max_grad_norm,
            patience: spec.training.patience,
            sampler: spec.training.sampler === "class_balanced" ? classBalanced((e: EncodedExample) => String(e.label)) : shuffled(),
            checkpoint: {
              ...(spec.training.checkpoint_every ? { everySteps: spec.training.checkpoint_every } : {}),
              // A stop request waits for the checkpoint being written, so none is left half-done.
              save: (c) => saveCheckpoint(checkpointDir, c).pipe(Effect.orDie, Effect.uninterruptible),
              ...(resumeFrom ? { resumeFrom } : {}),
            },
          })
          training = summary
          afterTraining?.()
          rmSync(checkpointDir, { recursive: true, force: true })
          yield* savePeftAdapter(adapterFolder(outDir, arm.name), adapter)
        }

        yield* emit({ type: "arm-phase", arm: arm.name, phase: "evaluating" })
        const evaluation = yield* evaluateTest(arm.name, setup, encoded.test, testPredictor(spec, context.tokenizer))
        const { metrics } = evaluation
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
        }
        yield* Effect.promise(() => writePredictions(outDir, arm.name, evaluation.predictions))
        yield* Effect.promise(() => writeConfusion(outDir, arm.name, task.labels, metrics.confusion))
        const finished: FinishedArm = {
          fingerprint: context.fingerprint,
          result,
          predictions: evaluation.predictions,
          confusion: metrics.confusion,
          ...(training ? { training } : {}),
        }
        yield* Effect.promise(() => writeFileAtomic(armResultFile(outDir, arm.name), JSON.stringify(finished) + "\n"))
        yield* emit({ type: "arm-result", arm: arm.name, metrics: headlineMetrics(result) })
        yield* emit({ type: "arm-phase", arm: arm.name, phase: "done" })
        return finished
      }),
    ({ release }) => Effect.sync(release),
  )

