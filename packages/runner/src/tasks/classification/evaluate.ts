// Classification's test pass (test-pass.ts runs it), one example at a time so each latency is a
// real per-example latency (prompt in, label out), as a deployed classifier would see it. The
// label comes from scoring every verbalizer, or (evaluation.mode generate) from greedily
// generated text read as a label.
import * as tf from "@tensorflow/tfjs"
import { generateWith } from "@peftlab/adapters-base"
import { classificationMetrics, latencyStats, normaliseAnswer, scoreLabels } from "@peftlab/evaluators"
import type { PredictionRow } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import type { ClassificationSetup } from "./classification-task.ts"
import { classificationTaskOf, type EncodedExample } from "./encode.ts"
import type { TestPass, Timed } from "../../test-pass.ts"

export interface TestEvaluation {
  readonly predictions: ReadonlyArray<PredictionRow>
  readonly metrics: ReturnType<typeof classificationMetrics>
  readonly latency: ReturnType<typeof latencyStats>
}

/** The predicted label of one example and its score (the label's softmax share; NaN for generated text). */
export interface Prediction {
  readonly pred: string
  readonly score: number
  /** evaluation.mode generate: the text the label was read from. */
  readonly generated?: string
}

export type Predictor = (setup: ClassificationSetup, example: EncodedExample) => Promise<Prediction>

/** Generated text that names no label is predicted as this, and scored as wrong. */
export const unparsedAnswer = "(unparsed)"

const byScoring: Predictor = async (setup, example) => {
  const [scored] = await scoreLabels(setup.model, setup.adapter, [example.prompt], setup.task.labelIds, setup.padId)
  return { pred: setup.task.labels[scored!.predicted] as string, score: scored!.confidence }
}

const byGeneration =
  (maxNewTokens: number, tokenizer: Tokenizer, verbalizers: Readonly<Record<string, string>>): Predictor =>
  async (setup, example) => {
    const ids = tf.tensor2d([[...example.prompt]], [1, example.prompt.length], "int32")
    const mask = tf.onesLike(ids)
    try {
      const [generated] = await generateWith(setup.model, setup.adapter, ids, mask, { maxNewTokens })
      const text = tokenizer.decode(generated ?? [], { skipSpecialTokens: true })
      return { pred: normaliseAnswer(text, setup.task.labels, verbalizers) ?? unparsedAnswer, score: Number.NaN, generated: text }
    } finally {
      tf.dispose([ids, mask])
    }
  }

export const testPredictor = (spec: ExperimentSpec, tokenizer: Tokenizer): Predictor =>
  spec.evaluation.mode === "generate" ? byGeneration(spec.evaluation.max_new_tokens ?? 1, tokenizer, classificationTaskOf(spec).labels) : byScoring

/** Each test example's predicted label. */
export const classificationTestPass = (setup: ClassificationSetup, examples: ReadonlyArray<EncodedExample>, predict: Predictor): TestPass<Prediction> => ({
  size: examples.length,
  predict: (index) => predict(setup, examples[index] as EncodedExample),
})

/** The metrics and prediction rows of a finished test pass over `examples`. */
export const classificationEvaluation = (labels: ReadonlyArray<string>, examples: ReadonlyArray<EncodedExample>, tested: ReadonlyArray<Timed<Prediction>>): TestEvaluation => {
  const predictions = tested.map(({ output }, i) => {
    const example = examples[i] as EncodedExample
    return { id: example.id, gold: labels[example.label] as string, pred: output.pred, score: output.score }
  })
  const metrics = classificationMetrics(
    predictions.map((p) => p.gold),
    predictions.map((p) => p.pred),
    labels,
    { unknownPredictions: "wrong" },
  )
  return { predictions, metrics, latency: latencyStats(tested.map((t) => t.latencyMs)) }
}
