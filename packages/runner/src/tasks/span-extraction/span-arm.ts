// Span extraction as an arm task. Every arm trains a span head (BERT's qa_outputs, saved as
// PEFT's modules_to_save) beside its adapter; `fine-tune` arms with hard_prompt false ask with
// the bare type name instead of the task's questions. With task.relations the head also learns
// relation questions about gold heads, and on test answers them about predicted heads. On test
// the arm's file preds_<arm>_test.jsonl has each sentence's text, gold and predicted spans (and
// gold and predicted triples); with evaluation.external_test the arm is then evaluated on that
// set too, into preds_<arm>_external.jsonl and the result's `external` scores.
import { join } from "node:path"
import { Effect } from "effect"
import { trainableParameterCount, withModulesToSave, type Adapter } from "@peftlab/adapters-base"
import { writeFileAtomic } from "@peftlab/core"
import { spanQuestionEncoder, type EncodedSpanQuestion, type EntityRelation, type EntitySpan, type SpanSentence } from "@peftlab/datasets"
import { spanHead, type BertEncoder, type EncoderModel, type SpanHead } from "@peftlab/models"
import type { ArmResult } from "@peftlab/reporters"
import type { ConcreteArm, ExperimentSpec, SpanExtractionTaskSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { samplerFor } from "../../sampler-for.ts"
import type { ArmTask, ArmTraining } from "../../arm-task.ts"
import { fewShot } from "../../few-shot.ts"
import { testPassHere, type RunTestPass } from "../../test-pass.ts"
import type { ExternalSentences, SpanSplits } from "./span-data.ts"
import { encodeRelationQuestions, encodeSpanQuestions } from "./span-encode.ts"
import { spanScores } from "./span-scores.ts"
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
  /** evaluation.external_test's sentences, evaluated on after test. */
  readonly external?: ExternalSentences | undefined
}

/** Hard prompts (the task's questions) for every arm but plain fine-tuning. */
const asksHardPrompt = (arm: ConcreteArm): boolean => !(arm.kind === "fine-tune" && "hard_prompt" in arm && arm.hard_prompt === false)

export const predictionsFile = (outDir: string, arm: string, split: "test" | "external" = "test") => join(outDir, `preds_${arm}_${split}.jsonl`)

/** Each sentence's text, gold and predicted spans, and with relations its gold and predicted triples. */
const writeExtractions = (
  file: string,
  sentences: ReadonlyArray<SpanSentence>,
  predicted: ReadonlyArray<ReadonlyArray<EntitySpan>>,
  relations: ReadonlyArray<ReadonlyArray<EntityRelation>> | undefined,
) =>
  writeFileAtomic(
    file,
    sentences
      .map((s, i) =>
        JSON.stringify({
          id: s.id,
          text: s.text,
          gold: s.entities,
          predicted: predicted[i],
          ...(relations && { gold_relations: s.relations ?? [], predicted_relations: relations[i] }),
        }),
      )
      .join("\n") + "\n",
  )

export const spanHeadline = (result: ArmResult): Record<string, number> => ({
  latency_p95_ms: result.latencyP95Ms,
  trainable_params: result.trainableParams,
  ...result.metrics,
})

export const spanArmTask = (inputs: SpanInputs) =>
  Effect.gen(function* () {
    const { spec, task, model, tokenizer, splits, types, external } = inputs
    const { relations } = task
    const encoding = { task, tokenizer, types, maxLength: spec.training.max_length }
    const externalSentences = external?.sentences ?? []
    // Questions of every split in both phrasings; most runs use one, and encoding is cheap.
    const encodeSplits = (hardPrompt: boolean) =>
      Effect.all({
        train: encodeSpanQuestions(encoding, splits.train, hardPrompt),
        val: encodeSpanQuestions(encoding, splits.val, hardPrompt),
        test: encodeSpanQuestions(encoding, splits.test, hardPrompt),
        external: encodeSpanQuestions(encoding, externalSentences, hardPrompt),
      })
    const questions = { hard: yield* encodeSplits(true), typeName: yield* encodeSplits(false) }
    const questionsFor = (arm: ConcreteArm) => (asksHardPrompt(arm) ? questions.hard : questions.typeName)
    // Relation questions about gold heads: trained on beside the entity questions, and counted
    // for truncation (test asks them about predicted heads, encoded as it goes).
    const relationQuestions = relations
      ? yield* Effect.all({
          train: encodeRelationQuestions(encoding, splits.train, relations),
          val: encodeRelationQuestions(encoding, splits.val, relations),
          test: encodeRelationQuestions(encoding, splits.test, relations),
        })
      : { train: [], val: [], test: [] }
    const relationSetup = relations && {
      types: relations.types,
      template: relations.question_template,
      encode: spanQuestionEncoder(tokenizer, { maxLength: spec.training.max_length }),
    }

    // Each arm's head, found by the adapter that carries it.
    const heads = new WeakMap<Adapter, SpanHead>()
    const setup = (adapter: Adapter, batchSize: number): SpanSetup => {
      const head = heads.get(adapter)
      if (!head) throw new Error("a span-extraction arm's adapter has no span head: ArmTask.prepare was skipped")
      return { model, adapter, head, padId: tokenizer.padId, batchSize, decoding: { threshold: task.threshold, maxSpanTokens: task.max_span_tokens }, relations: relationSetup }
    }

    /** One set of sentences extracted through `runTest`, scored, and written to `file`. */
    const evaluateOn = (armSetup: SpanSetup, sentences: ReadonlyArray<SpanSentence>, encoded: ReadonlyArray<EncodedSpanQuestion>, runTest: RunTestPass, file: string) =>
      Effect.gen(function* () {
        const extracted = yield* evaluateSpans(armSetup, sentences, encoded, runTest)
        const predictedRelations = relations ? extracted.relations : undefined
        const scores = spanScores(sentences, extracted.predicted, types, predictedRelations && { types: Object.keys(relations!.types), predicted: predictedRelations })
        yield* Effect.promise(() => writeExtractions(file, sentences, extracted.predicted, predictedRelations))
        return { ...extracted, scores }
      })

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
        const examples = [...trainQuestions, ...relationQuestions.train].filter((q) => sentences.has(q.sentenceId))
        const selectBy = settings.select_by === "loss" ? "loss" : "micro_f1"
        return {
          task: spanTraining(setup(adapter, settings.batch_size), examples, { sentences: splits.val, questions: val }, selectBy),
          sampler: samplerFor(settings, (q: EncodedSpanQuestion) => q.ids.length),
        } as ArmTraining
      },
      testPass: (arm, adapter, settings) => spanTestPass(setup(adapter, settings.batch_size), splits.test, questionsFor(arm).test),
      evaluate: (arm, adapter, settings, outDir, runTest) =>
        Effect.gen(function* () {
          const armSetup = setup(adapter, settings.batch_size)
          const tested = yield* evaluateOn(armSetup, splits.test, questionsFor(arm).test, runTest, predictionsFile(outDir, arm.name))
          // The external set is extracted in this thread: data-parallel workers know only the test split.
          const externalScores =
            external &&
            (yield* evaluateOn(armSetup, external.sentences, questionsFor(arm).external, testPassHere(arm.name), predictionsFile(outDir, arm.name, "external"))).scores
          const result: ArmResult = {
            arm: arm.name,
            kind: arm.kind,
            n: splits.test.length,
            // Span extraction has no example labels: accuracy and macro-F1 do not apply (NaN).
            accuracy: Number.NaN,
            macroF1: Number.NaN,
            perClassF1: tested.scores.perType,
            latencyMeanMs: tested.latency.mean,
            latencyP95Ms: tested.latency.p95,
            trainableParams: trainableParameterCount(adapter),
            metrics: tested.scores.metrics,
            ...(externalScores && {
              external: {
                n: external.sentences.length,
                metrics: { ...externalScores.metrics, ...Object.fromEntries(Object.entries(externalScores.perType).map(([type, f1]) => [`f1_${type}`, f1])) },
              },
            }),
          }
          const extractions = splits.test.map((s, i) => ({
            id: s.id,
            gold: s.entities,
            predicted: tested.predicted[i] ?? [],
            ...(relations && { goldRelations: s.relations ?? [], predictedRelations: tested.relations[i] ?? [] }),
          }))
          return { result, predictions: [], confusion: [], extractions }
        }),
      headline: spanHeadline,
    }
    const withRelations = (encoded: { train: Array<EncodedSpanQuestion>; val: Array<EncodedSpanQuestion>; test: Array<EncodedSpanQuestion> }) => ({
      train: [...encoded.train, ...relationQuestions.train],
      val: [...encoded.val, ...relationQuestions.val],
      test: [...encoded.test, ...relationQuestions.test],
    })
    const counted = { hard: withRelations(questions.hard), typeName: withRelations(questions.typeName) }
    return { task: armTask, truncation: spanTruncation(spec, splits, counted, asksHardPrompt) }
  })
