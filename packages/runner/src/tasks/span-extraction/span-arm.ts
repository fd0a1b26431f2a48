// Span extraction as an arm task. Every arm trains a span head (BERT's qa_outputs, saved as
// PEFT's modules_to_save) beside its adapter; `fine-tune` arms with hard_prompt false ask with
// the bare type name instead of the task's questions. On test the arm's file
// preds_<arm>_test.jsonl has each sentence's text, gold and predicted spans.
import { join } from "node:path"
import { Effect } from "effect"
import { trainableParameterCount, withModulesToSave, type Adapter } from "@peftlab/adapters-base"
import { writeFileAtomic } from "@peftlab/core"
import { lenientExtractionMetrics } from "@peftlab/evaluators"
import type { EncodedSpanQuestion, EntitySpan, SpanSentence } from "@peftlab/datasets"
import { spanHead, type BertEncoder, type EncoderModel, type SpanHead } from "@peftlab/models"
import type { ArmResult } from "@peftlab/reporters"
import type { ConcreteArm, ExperimentSpec, SpanExtractionTaskSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { samplerFor } from "../../sampler-for.ts"
import type { ArmTask, ArmTraining } from "../../arm-task.ts"
import { fewShot } from "../../few-shot.ts"
import type { SpanSplits } from "./span-data.ts"
import { encodeSpanQuestions } from "./span-encode.ts"
import { spanTruncation } from "./span-truncation.ts"
import { evaluateSpans, spanTestPass, spanTraining, type SpanSetup } from "./span-task.ts"

export interface SpanInputs {
  readonly spec: ExperimentSpec
  readonly task: SpanExtractionTaskSpec
  readonly model: EncoderModel
  readonly tokenizer: Tokenizer
  readonly splits: SpanSplits
  /** The entity types asked about. */
  readonly types: ReadonlyArray<string>
}

/** Hard prompts (the task's questions) for every arm but plain fine-tuning. */
const asksHardPrompt = (arm: ConcreteArm): boolean => !(arm.kind === "fine-tune" && "hard_prompt" in arm && arm.hard_prompt === false)

export const predictionsFile = (outDir: string, arm: string) => join(outDir, `preds_${arm}_test.jsonl`)

const writeExtractions = (outDir: string, arm: string, sentences: ReadonlyArray<SpanSentence>, predicted: ReadonlyArray<ReadonlyArray<EntitySpan>>) =>
  writeFileAtomic(
    predictionsFile(outDir, arm),
    sentences.map((s, i) => JSON.stringify({ id: s.id, text: s.text, gold: s.entities, predicted: predicted[i] })).join("\n") + "\n",
  )

export const spanHeadline = (result: ArmResult): Record<string, number> => ({
  latency_p95_ms: result.latencyP95Ms,
  trainable_params: result.trainableParams,
  ...result.metrics,
})

export const spanArmTask = (inputs: SpanInputs) =>
  Effect.gen(function* () {
    const { spec, task, model, tokenizer, splits, types } = inputs
    const encoding = { task, tokenizer, types, maxLength: spec.training.max_length }
    // Questions of every split in both phrasings; most runs use one, and encoding is cheap.
    const encodeSplits = (hardPrompt: boolean) =>
      Effect.all({
        train: encodeSpanQuestions(encoding, splits.train, hardPrompt),
        val: encodeSpanQuestions(encoding, splits.val, hardPrompt),
        test: encodeSpanQuestions(encoding, splits.test, hardPrompt),
      })
    const questions = { hard: yield* encodeSplits(true), typeName: yield* encodeSplits(false) }
    const questionsFor = (arm: ConcreteArm) => (asksHardPrompt(arm) ? questions.hard : questions.typeName)

    // Each arm's head, found by the adapter that carries it.
    const heads = new WeakMap<Adapter, SpanHead>()
    const setup = (adapter: Adapter, batchSize: number): SpanSetup => {
      const head = heads.get(adapter)
      if (!head) throw new Error("a span-extraction arm's adapter has no span head: ArmTask.prepare was skipped")
      return { model, adapter, head, padId: tokenizer.padId, batchSize, decoding: { threshold: task.threshold, maxSpanTokens: task.max_span_tokens } }
    }

    const armTask: ArmTask = {
      prepare: (prepared, rng) =>
        Effect.gen(function* () {
          // BERT is the one encoder architecture; its config says how HF initialises heads.
          const { initializer_range } = (model as BertEncoder).config
          const head = yield* spanHead({ hiddenSize: model.dims.hidden_size, initializerRange: initializer_range, rng })
          const adapter = withModulesToSave(prepared.adapter, [head])
          heads.set(adapter, head)
          return {
            ...prepared,
            adapter,
            release: () => {
              head.dispose()
              prepared.release()
            },
          }
        }),
      training: (arm, adapter, settings) => {
        const { train: trainQuestions, val } = questionsFor(arm)
        const sentences = new Set(fewShot(splits.train, settings.train_examples, spec.data.split.seed).map((s) => s.id))
        const examples = trainQuestions.filter((q) => sentences.has(q.sentenceId))
        const selectBy = settings.select_by === "loss" ? "loss" : "micro_f1"
        return {
          task: spanTraining(setup(adapter, settings.batch_size), examples, { sentences: splits.val, questions: val }, selectBy),
          sampler: samplerFor(settings, (q: EncodedSpanQuestion) => q.ids.length),
        } as ArmTraining
      },
      testPass: (arm, adapter, settings) => spanTestPass(setup(adapter, settings.batch_size), splits.test, questionsFor(arm).test),
      evaluate: (arm, adapter, settings, outDir, runTest) =>
        Effect.gen(function* () {
          const { predicted, metrics, latency } = yield* evaluateSpans(setup(adapter, settings.batch_size), splits.test, questionsFor(arm).test, runTest)
          // Overlap with a gold span of the type counts: the lenient scores i2b2/n2c2 report beside strict ones.
          const lenient = lenientExtractionMetrics(splits.test.map((sentence) => sentence.entities), predicted)
          const result: ArmResult = {
            arm: arm.name,
            kind: arm.kind,
            n: splits.test.length,
            // Span extraction has no example labels: accuracy and macro-F1 do not apply (NaN).
            accuracy: Number.NaN,
            macroF1: Number.NaN,
            perClassF1: Object.fromEntries(types.map((type) => [type, metrics.perType[type]?.f1 ?? 0])),
            latencyMeanMs: latency.mean,
            latencyP95Ms: latency.p95,
            trainableParams: trainableParameterCount(adapter),
            metrics: {
              precision: metrics.precision,
              recall: metrics.recall,
              micro_f1: metrics.f1,
              lenient_precision: lenient.precision,
              lenient_recall: lenient.recall,
              lenient_f1: lenient.f1,
            },
          }
          yield* Effect.promise(() => writeExtractions(outDir, arm.name, splits.test, predicted))
          const extractions = splits.test.map((s, i) => ({ id: s.id, gold: s.entities, predicted: predicted[i] ?? [] }))
          return { result, predictions: [], confusion: [], extractions }
        }),
      headline: spanHeadline,
    }
    return { task: armTask, truncation: spanTruncation(spec, splits, questions, asksHardPrompt) }
  })
