// Generative QA as an arm task: response-NLL training, and on test generated answers scored
// with ROUGE, BLEU, token F1, readability, reference perplexity and, when the spec asks,
// BERTScore (its F1 per answer in the predictions file too). The arm's predictions
// file (preds_<arm>_test.csv) has id, reference, generated and the per-example scores; with
// evaluation.external_test the arm is then evaluated on that set too, into
// preds_<arm>_external.csv and the result's `external` scores.
import { join } from "node:path"
import { Effect } from "effect"
import { trainableParameterCount, type Adapter } from "@peftlab/adapters-base"
import { writeFileAtomic } from "@peftlab/core"
import type { LanguageModel } from "@peftlab/evaluators"
import { toCsv, type ArmResult } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { samplerFor } from "../../sampler-for.ts"
import type { ArmTask, ArmTraining, TrainingSettings } from "../../arm-task.ts"
import { testPassHere, type RunTestPass } from "../../test-pass.ts"
import { fewShot } from "../../few-shot.ts"
import type { EncodedQA } from "./qa-encode.ts"
import type { AnswerScorer } from "./qa-bertscore.ts"
import { evaluateQA, qaTestPass, qaTraining, type GenerationRow } from "./qa-task.ts"

export interface QAInputs {
  readonly spec: ExperimentSpec
  readonly model: LanguageModel
  readonly tokenizer: Tokenizer
  readonly encoded: { readonly train: ReadonlyArray<EncodedQA>; readonly val: ReadonlyArray<EncodedQA>; readonly test: ReadonlyArray<EncodedQA> }
  /** evaluation.external_test's pairs, evaluated on after test. */
  readonly external?: ReadonlyArray<EncodedQA> | undefined
  /** BERTScore of the answers, when the spec asks for it (evaluation.bertscore). */
  readonly scorer?: AnswerScorer
}

const generationColumns = ["id", "reference", "generated", "rouge1", "rouge2", "rougeL", "token_f1"] as const

export const predictionsFile = (outDir: string, arm: string, split: "test" | "external" = "test") => join(outDir, `preds_${arm}_${split}.csv`)

const writeGenerations = (file: string, rows: ReadonlyArray<GenerationRow>) => {
  const columns = rows.some((row) => row.bertscore_f1 !== undefined) ? [...generationColumns, "bertscore_f1" as const] : [...generationColumns]
  return writeFileAtomic(file, toCsv(columns, rows.map((row) => columns.map((column) => row[column] ?? Number.NaN))))
}

/** The answers' BERTScore: per row its F1, and the corpus means of P, R and F1 as metrics. */
const withBertScore = (scorer: AnswerScorer | undefined, rows: ReadonlyArray<GenerationRow>) =>
  Effect.gen(function* () {
    if (scorer === undefined) return { rows, metrics: {} as Record<string, number> }
    const scores = yield* scorer(rows.map((row) => row.generated), rows.map((row) => row.reference))
    return {
      rows: rows.map((row, i) => ({ ...row, bertscore_f1: scores.f1[i]! })),
      metrics: { bertscore_precision: scores.corpus.precision, bertscore_recall: scores.corpus.recall, bertscore_f1: scores.corpus.f1 },
    }
  })

export const qaHeadline = (result: ArmResult): Record<string, number> => ({
  latency_p95_ms: result.latencyP95Ms,
  trainable_params: result.trainableParams,
  ...result.metrics,
})

export const qaArmTask = ({ spec, model, tokenizer, encoded, external, scorer }: QAInputs): ArmTask => {
  const setup = (adapter: Adapter, batchSize: number) => ({ model, adapter, tokenizer, batchSize })
  const maxNewTokens = spec.evaluation.max_new_tokens ?? 1
  /** One set of pairs answered through `runTest`, scored (BERTScore too when asked), and written to `file`. */
  const evaluateOn = (adapter: Adapter, settings: TrainingSettings, examples: ReadonlyArray<EncodedQA>, runTest: RunTestPass, file: string) =>
    Effect.gen(function* () {
      const evaluated = yield* evaluateQA(setup(adapter, settings.batch_size), examples, maxNewTokens, runTest, { useStemmer: spec.evaluation.rouge_stemmer })
      const bert = yield* withBertScore(scorer, evaluated.rows)
      yield* Effect.promise(() => writeGenerations(file, bert.rows))
      return { rows: bert.rows, metrics: { ...evaluated.metrics, ...bert.metrics }, latency: evaluated.latency }
    })
  return {
    training: (_arm, adapter, settings) =>
      ({
        task: qaTraining(setup(adapter, settings.batch_size), fewShot(encoded.train, settings.train_examples, spec.data.split.seed), encoded.val),
        sampler: samplerFor(settings, (e: EncodedQA) => e.prompt.length + e.response.length),
      }) as ArmTraining,
    testPass: (_arm, adapter, settings) => qaTestPass(setup(adapter, settings.batch_size), encoded.test, maxNewTokens),
    evaluate: (arm, adapter, settings, outDir, runTest) =>
      Effect.gen(function* () {
        const { rows, metrics, latency } = yield* evaluateOn(adapter, settings, encoded.test, runTest, predictionsFile(outDir, arm.name))
        // The external set is answered in this thread: data-parallel workers know only the test split.
        const onExternal = external && (yield* evaluateOn(adapter, settings, external, testPassHere(arm.name), predictionsFile(outDir, arm.name, "external")))
        // A QA arm has no labels: accuracy, macro-F1 and per-class F1 do not apply (NaN).
        const result: ArmResult = {
          arm: arm.name,
          kind: arm.kind,
          n: rows.length,
          accuracy: Number.NaN,
          macroF1: Number.NaN,
          perClassF1: {},
          latencyMeanMs: latency.mean,
          latencyP95Ms: latency.p95,
          trainableParams: trainableParameterCount(adapter),
          metrics,
          ...(onExternal && { external: { n: onExternal.rows.length, metrics: onExternal.metrics } }),
        }
        return { result, predictions: [], confusion: [], generations: rows }
      }),
    headline: qaHeadline,
  }
}
