// Classification as an arm task: label-NLL training (classification-task.ts), and on test
// a label per example by scoring or generation (evaluate.ts), its extra metrics, predictions
// and confusion matrix; with evaluation.external_test the arm is then evaluated on that set
// too, into preds_<arm>_external.csv and the result's `external` scores.
import { Effect } from "effect"
import { trainableParameterCount, type Adapter } from "@peftlab/adapters-base"
import type { LanguageModel } from "@peftlab/evaluators"
import { writeConfusion, writePredictions, type ArmResult } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import type { ArmTask, ArmTraining, TrainingSettings } from "../../arm-task.ts"
import { testPassHere, type RunTestPass } from "../../test-pass.ts"
import { classificationSelectBy, classificationTraining } from "./classification-task.ts"
import { fewShot } from "../../few-shot.ts"
import { samplerFor } from "../../sampler-for.ts"
import type { EncodedExample, EncodedTask } from "./encode.ts"
import { classificationEvaluation, classificationTestPass, testPredictor, type Prediction } from "./evaluate.ts"
import { extraMetrics } from "../../registry/metrics.ts"

export interface ClassificationInputs {
  readonly spec: ExperimentSpec
  readonly model: LanguageModel
  readonly tokenizer: Tokenizer
  readonly task: EncodedTask
  readonly encoded: { readonly train: ReadonlyArray<EncodedExample>; readonly val: ReadonlyArray<EncodedExample>; readonly test: ReadonlyArray<EncodedExample> }
  /** evaluation.external_test's examples, evaluated on after test. */
  readonly external?: ReadonlyArray<EncodedExample> | undefined
}

export const classificationHeadline = (result: ArmResult): Record<string, number> => ({
  accuracy: result.accuracy,
  macro_f1: result.macroF1,
  latency_p95_ms: result.latencyP95Ms,
  trainable_params: result.trainableParams,
  ...result.metrics,
})

export const classificationArmTask = ({ spec, model, tokenizer, task, encoded, external }: ClassificationInputs): ArmTask => {
  const setup = (adapter: Adapter, batchSize: number) => ({ model, adapter, task, padId: tokenizer.padId, batchSize })
  const testPass = (adapter: Adapter, settings: TrainingSettings, examples: ReadonlyArray<EncodedExample> = encoded.test) =>
    classificationTestPass(setup(adapter, settings.batch_size), examples, testPredictor(spec, tokenizer))
  /** One set of examples predicted through `runTest`, with its metrics and the spec's extra metrics. */
  const evaluateOn = (adapter: Adapter, settings: TrainingSettings, examples: ReadonlyArray<EncodedExample>, runTest: RunTestPass) =>
    Effect.gen(function* () {
      const tested = yield* runTest<Prediction>(testPass(adapter, settings, examples))
      const evaluation = classificationEvaluation(task.labels, examples, tested)
      const scores = evaluation.predictions.map((p) => p.score)
      const extra = yield* extraMetrics(spec, {
        gold: evaluation.predictions.map((p) => p.gold),
        pred: evaluation.predictions.map((p) => p.pred),
        labels: task.labels,
        // Generated answers have no label scores (NaN).
        ...(scores.some(Number.isNaN) ? {} : { scores }),
      })
      const perClassF1 = Object.fromEntries(task.labels.map((label) => [label, evaluation.metrics.perClass[label]?.f1 ?? 0]))
      return { ...evaluation, extra, perClassF1 }
    })
  return {
    training: (_arm, adapter, settings) => ({
      task: classificationTraining(setup(adapter, settings.batch_size), fewShot(encoded.train, settings.train_examples, spec.data.split.seed), encoded.val, classificationSelectBy(settings.select_by)),
      sampler: samplerFor(settings, (e: EncodedExample) => e.prompt.length, (e) => String(e.label)),
    }) as ArmTraining,
    testPass: (_arm, adapter, settings) => testPass(adapter, settings),
    evaluate: (arm, adapter, settings, outDir, runTest) =>
      Effect.gen(function* () {
        const { metrics, predictions, latency, extra, perClassF1 } = yield* evaluateOn(adapter, settings, encoded.test, runTest)
        // The external set is predicted in this thread: data-parallel workers know only the test split.
        const onExternal = external && (yield* evaluateOn(adapter, settings, external, testPassHere(arm.name)))
        const result: ArmResult = {
          arm: arm.name,
          kind: arm.kind,
          n: metrics.n,
          accuracy: metrics.accuracy,
          macroF1: metrics.macroF1,
          perClassF1,
          latencyMeanMs: latency.mean,
          latencyP95Ms: latency.p95,
          trainableParams: trainableParameterCount(adapter),
          ...(Object.keys(extra).length > 0 ? { metrics: extra } : {}),
          ...(onExternal && {
            external: {
              n: onExternal.metrics.n,
              metrics: {
                macro_f1: onExternal.metrics.macroF1,
                accuracy: onExternal.metrics.accuracy,
                ...Object.fromEntries(Object.entries(onExternal.perClassF1).map(([label, f1]) => [`f1_${label}`, f1])),
                ...onExternal.extra,
              },
            },
          }),
        }
        yield* Effect.promise(() => writePredictions(outDir, arm.name, predictions))
        if (onExternal) yield* Effect.promise(() => writePredictions(outDir, arm.name, onExternal.predictions, "external"))
        yield* Effect.promise(() => writeConfusion(outDir, arm.name, task.labels, metrics.confusion))
        return { result, predictions, confusion: metrics.confusion }
      }),
    headline: classificationHeadline,
  }
}
