// Generative QA as an arm task: training minimises the NLL of the response tokens after the
// instruction prompt (validation: mean response NLL per token, lower is better); on test each
// example's answer is generated greedily and scored against its reference.
import { Effect } from "effect"
import type { Adapter } from "@peftlab/adapters-base"
import { continuationNll, corpusBleu, generateBatch, latencyStats, readability, referencePerplexity, rouge, squadF1, type LanguageModel, type RougeOptions } from "@peftlab/evaluators"
import type { TrainingTask } from "@peftlab/trainer"
import type { Tokenizer } from "@peftlab/tokenizers"
import type { RunTestPass, TestPass } from "../../test-pass.ts"
import type { EncodedQA } from "./qa-encode.ts"

export interface QASetup {
  readonly model: LanguageModel
  readonly adapter: Adapter
  readonly tokenizer: Tokenizer
  readonly batchSize: number
}

/** One test example's generated answer and its scores (a type of @peftlab/plugin-api, since reporters read it). */
export type { GenerationRow } from "@peftlab/plugin-api"
import type { GenerationRow } from "@peftlab/plugin-api"

export const generationMetricNames = ["rouge1", "rouge2", "rougeL", "bleu", "token_f1", "fk_grade", "smog", "perplexity"] as const

const rowsOf = (batch: ReadonlyArray<EncodedQA>) => batch.map((e) => ({ prompt: e.prompt, continuation: e.response }))

/** Mean response NLL per token over `examples`. */
const meanResponseNll = async (setup: QASetup, examples: ReadonlyArray<EncodedQA>): Promise<number> => {
  const { nll, tokens } = await referencePerplexity(setup.model, setup.adapter, rowsOf(examples), setup.tokenizer.padId, setup.batchSize)
  return nll / tokens
}

export const qaTraining = (setup: QASetup, train: ReadonlyArray<EncodedQA>, val: ReadonlyArray<EncodedQA>): TrainingTask<EncodedQA> => ({
  examples: train,
  loss: (batch) => {
    // Dropout acts in training steps only, never in validation or generation.
    setup.adapter.setTraining?.(true)
    try {
      return continuationNll(setup.model, setup.adapter, rowsOf(batch), setup.tokenizer.padId)
    } finally {
      setup.adapter.setTraining?.(false)
    }
  },
  tokens: (batch) => rowsOf(batch).reduce((sum, r) => sum + r.prompt.length + r.continuation.length, 0),
  validate: () =>
    Effect.promise(async () => {
      const loss = await meanResponseNll(setup, val)
      return { metric: "loss", value: loss, higherIsBetter: false, loss }
    }),
})

const scored = (example: EncodedQA, generated: string, rougeOptions: RougeOptions): GenerationRow => {
  const r = rouge(example.reference, generated, rougeOptions)
  return {
    id: example.id,
    reference: example.reference,
    generated,
    rouge1: r.rouge1.fmeasure,
    rouge2: r.rouge2.fmeasure,
    rougeL: r.rougeL.fmeasure,
    token_f1: squadF1(generated, [example.reference]),
  }
}

const mean = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0) / values.length

/** Readability grades averaged over the generated answers that have words (NaN when none has). */
const readabilityOf = (texts: ReadonlyArray<string>) => {
  const graded = texts.filter((t) => /[\p{L}\p{N}]/u.test(t)).map(readability)
  return graded.length === 0
    ? { fk_grade: Number.NaN, smog: Number.NaN }
    : { fk_grade: mean(graded.map((g) => g.fleschKincaidGrade)), smog: mean(graded.map((g) => g.smogIndex)) }
}

/** Each test example's answer, generated greedily (one example at a time, so latencies are per example). */
export const qaTestPass = (setup: QASetup, examples: ReadonlyArray<EncodedQA>, maxNewTokens: number): TestPass<string> => ({
  size: examples.length,
  predict: async (index) => {
    const [ids] = await generateBatch(setup.model, setup.adapter, [(examples[index] as EncodedQA).prompt], setup.tokenizer.padId, { maxNewTokens })
    return setup.tokenizer.decode(ids ?? [], { skipSpecialTokens: true }).trim()
  },
})

/**
 * Generates every test answer through `runTest` and scores it; perplexity of the references here,
 * batched. `rougeOptions`: evaluation.rouge_stemmer as the evaluator's useStemmer (off by default).
 */
export const evaluateQA = (setup: QASetup, examples: ReadonlyArray<EncodedQA>, maxNewTokens: number, runTest: RunTestPass, rougeOptions: RougeOptions = {}) =>
  Effect.gen(function* () {
    const tested = yield* runTest(qaTestPass(setup, examples, maxNewTokens))
    const rows = tested.map(({ output }, i) => scored(examples[i] as EncodedQA, output, rougeOptions))
    const latencies = tested.map((t) => t.latencyMs)
    const perplexity = Math.exp(yield* Effect.promise(() => meanResponseNll(setup, examples)))
    const metrics: Record<string, number> = {
      rouge1: mean(rows.map((r) => r.rouge1)),
      rouge2: mean(rows.map((r) => r.rouge2)),
      rougeL: mean(rows.map((r) => r.rougeL)),
      // Corpus BLEU (sacreBLEU), pooled n-gram counts rather than a mean of sentence scores.
      bleu: corpusBleu(rows.map((r) => r.reference), rows.map((r) => r.generated)).score,
      token_f1: mean(rows.map((r) => r.token_f1)),
      ...readabilityOf(rows.map((r) => r.generated)),
      perplexity,
    }
    return { rows, metrics, latency: latencyStats(latencies) }
  })
