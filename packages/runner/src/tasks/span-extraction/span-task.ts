// Span extraction as reading comprehension (Li et al. 2020, "A Unified MRC Framework for
// Named Entity Recognition"): per-token start and end classifiers over the encoder's output,
// trained with binary cross-entropy on the sentence tokens; answers are decoded per question
// and gathered per sentence, then scored by strict span match. With relations, each test
// sentence's predicted heads are then asked their relation questions, end to end.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { encoderOutputs, type Adapter } from "@peftlab/adapters-base"
import {
  compareRelations,
  decodeSpans,
  relationTriples,
  SpanEncodingError,
  spansBySentence,
  toRelationQuestions,
  type EncodedSpanQuestion,
  type EntityRelation,
  type EntitySpan,
  type RelationType,
  type SpanQuestion,
  type SpanSentence,
} from "@peftlab/datasets"
import { extractionMetrics, latencyStats, type ExtractionMetrics } from "@peftlab/evaluators"
import type { EncoderModel, SpanHead } from "@peftlab/models"
import { batchesOf, type TrainingTask, type Validation } from "@peftlab/trainer"
import type { RunTestPass, TestPass } from "../../test-pass.ts"

export interface SpanSetup {
  readonly model: EncoderModel
  readonly adapter: Adapter
  readonly head: SpanHead
  readonly padId: number
  readonly batchSize: number
  readonly decoding: { readonly threshold: number; readonly maxSpanTokens: number }
  /** task.relations: the relation types, the question template, and the arm's question encoder. */
  readonly relations?: RelationSetup | undefined
}

export interface RelationSetup {
  readonly types: Readonly<Record<string, RelationType>>
  readonly template: string
  readonly encode: (question: SpanQuestion) => EncodedSpanQuestion
}

/** One test sentence's extraction: its entities, and with task.relations the triples among them. */
export interface SentenceExtraction {
  readonly entities: ReadonlyArray<EntitySpan>
  readonly relations?: ReadonlyArray<EntityRelation>
}

/** Questions padded on the right into one batch; `sentenceMask` is 1 on sentence tokens only. */
const batchTensors = (batch: ReadonlyArray<EncodedSpanQuestion>, padId: number) => {
  const width = Math.max(...batch.map((q) => q.ids.length))
  const padded = (row: (q: EncodedSpanQuestion) => ReadonlyArray<number>, pad: number) =>
    batch.map((q) => [...row(q), ...new Array<number>(width - row(q).length).fill(pad)])
  return {
    ids: tf.tensor2d(padded((q) => q.ids, padId), undefined, "int32"),
    attentionMask: tf.tensor2d(padded((q) => q.ids.map(() => 1), 0), undefined, "int32"),
    tokenTypeIds: tf.tensor2d(padded((q) => q.tokenTypeIds, 0), undefined, "int32"),
    starts: tf.tensor2d(padded((q) => q.startTargets, 0)),
    ends: tf.tensor2d(padded((q) => q.endTargets, 0)),
    sentenceMask: tf.tensor2d(padded((q) => q.offsets.map((o) => (o === null ? 0 : 1)), 0)),
  }
}

/** Start and end logits [batch, time] of the padded batch. */
const spanLogits = (setup: SpanSetup, tensors: ReturnType<typeof batchTensors>) => {
  const { hidden } = encoderOutputs(setup.model, setup.adapter, tensors)
  return setup.head.apply(hidden)
}

/** Mean binary cross-entropy of the start and end classifiers over the batch's sentence tokens. */
const meanBce = (tensors: ReturnType<typeof batchTensors>, start: tf.Tensor2D, end: tf.Tensor2D): tf.Scalar => {
  const bce = (targets: tf.Tensor2D, logits: tf.Tensor2D) => tf.losses.sigmoidCrossEntropy(targets, logits, tensors.sentenceMask, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS)
  return bce(tensors.starts, start).add(bce(tensors.ends, end)).div(2) as tf.Scalar
}

export const spanLoss = (setup: SpanSetup, batch: ReadonlyArray<EncodedSpanQuestion>): tf.Scalar =>
  tf.tidy(() => {
    const tensors = batchTensors(batch, setup.padId)
    const { start, end } = spanLogits(setup, tensors)
    return meanBce(tensors, start, end)
  })

/** Each question's decoded answers, and the batch's loss. */
const extractBatch = async (setup: SpanSetup, batch: ReadonlyArray<EncodedSpanQuestion>) => {
  const { logits, loss } = tf.tidy(() => {
    const tensors = batchTensors(batch, setup.padId)
    const { start, end } = spanLogits(setup, tensors)
    return { logits: tf.stack([start, end]), loss: meanBce(tensors, start, end) }
  })
  const [values, lossValue] = await Promise.all([logits.array() as Promise<Array<Array<Array<number>>>>, loss.data()])
  tf.dispose([logits, loss])
  const [starts, ends] = values as [Array<Array<number>>, Array<Array<number>>]
  const options = { ...setup.decoding, logits: true }
  const answers = batch.map((q, i) => ({ sentenceId: q.sentenceId, spans: decodeSpans(q, starts[i]!, ends[i]!, options) }))
  return { answers, loss: lossValue[0]! }
}

export interface Extraction {
  readonly bySentence: Array<Array<EntitySpan>>
  readonly metrics: ExtractionMetrics
  /** Mean loss per batch. */
  readonly loss: number
}

/** Every question of `sentences` answered `batchSize` at a time, gathered per sentence and scored. */
export const extractAll = async (setup: SpanSetup, sentences: ReadonlyArray<SpanSentence>, questions: ReadonlyArray<EncodedSpanQuestion>): Promise<Extraction> => {
  const answers: Array<{ sentenceId: string; spans: Array<EntitySpan> }> = []
  let lossSum = 0
  const batches = batchesOf(questions, setup.batchSize)
  for (const batch of batches) {
    const done = await extractBatch(setup, batch)
    answers.push(...done.answers)
    lossSum += done.loss
  }
  const bySentence = spansBySentence(sentences, answers)
  return { bySentence, metrics: extractionMetrics(sentences.map((s) => s.entities), bySentence), loss: lossSum / batches.length }
}

export const spanTraining = (
  setup: SpanSetup,
  train: ReadonlyArray<EncodedSpanQuestion>,
  val: { readonly sentences: ReadonlyArray<SpanSentence>; readonly questions: ReadonlyArray<EncodedSpanQuestion> },
  selectBy: "micro_f1" | "loss",
): TrainingTask<EncodedSpanQuestion> => ({
  examples: train,
  loss: (batch) => {
    // Dropout acts in training steps only, never in validation or extraction.
    setup.adapter.setTraining?.(true)
    try {
      return spanLoss(setup, batch)
    } finally {
      setup.adapter.setTraining?.(false)
    }
  },
  tokens: (batch) => batch.reduce((sum, q) => sum + q.ids.length, 0),
  validate: () =>
    Effect.promise(async (): Promise<Validation> => {
      const { metrics, loss } = await extractAll(setup, val.sentences, val.questions)
      return selectBy === "loss" ? { metric: "loss", value: loss, higherIsBetter: false, loss } : { metric: "micro_f1", value: metrics.f1, higherIsBetter: true, loss }
    }),
})

/**
 * The relation triples of one sentence end to end: each predicted head of a relation's head type
 * asked its relation question in one batch, the decoded tail spans joined to it. A question
 * too long for training.max_length (a long predicted head) asks nothing.
 */
const extractRelations = async (setup: SpanSetup, relations: RelationSetup, sentence: SpanSentence, heads: ReadonlyArray<EntitySpan>): Promise<Array<EntityRelation>> => {
  const questions = toRelationQuestions(sentence, heads, relations.types, relations.template).flatMap((question) => {
    try {
      return [{ question, encoded: relations.encode(question) }]
    } catch (error) {
      if (error instanceof SpanEncodingError) return []
      throw error
    }
  })
  if (questions.length === 0) return []
  const { answers } = await extractBatch(setup, questions.map((q) => q.encoded))
  return questions.flatMap(({ question }, i) => relationTriples(question, answers[i]!.spans)).sort(compareRelations)
}

/** Test extraction a sentence at a time (all its questions in one batch, then its relation questions), so latencies are per sentence. */
export const spanTestPass = (setup: SpanSetup, sentences: ReadonlyArray<SpanSentence>, questions: ReadonlyArray<EncodedSpanQuestion>): TestPass<SentenceExtraction> => {
  const bySentenceId = new Map<string, Array<EncodedSpanQuestion>>()
  for (const q of questions) bySentenceId.set(q.sentenceId, [...(bySentenceId.get(q.sentenceId) ?? []), q])
  return {
    size: sentences.length,
    predict: async (index) => {
      const sentence = sentences[index] as SpanSentence
      const { bySentence } = await extractAll({ ...setup, batchSize: Number.MAX_SAFE_INTEGER }, [sentence], bySentenceId.get(sentence.id) ?? [])
      const entities = bySentence[0] ?? []
      return setup.relations ? { entities, relations: await extractRelations(setup, setup.relations, sentence, entities) } : { entities }
    },
  }
}

/** Every test sentence's spans (and relation triples) through `runTest`, with their latencies. */
export const evaluateSpans = (setup: SpanSetup, sentences: ReadonlyArray<SpanSentence>, questions: ReadonlyArray<EncodedSpanQuestion>, runTest: RunTestPass) =>
  Effect.gen(function* () {
    const tested = yield* runTest(spanTestPass(setup, sentences, questions))
    return {
      predicted: tested.map((t) => t.output.entities),
      relations: tested.map((t) => t.output.relations ?? []),
      latency: latencyStats(tested.map((t) => t.latencyMs)),
    }
  })
