// Label scoring with verbalizers: each label is a short text (" yes"); its score after a prompt
// is the model's log-probability of that text's tokens, summed when it spans several. The
// highest-scoring label is the prediction; a softmax over the label scores is its confidence.
import type { Adapter } from "@peftlab/adapters-base"
import { continuationLogProbs, type LanguageModel } from "./continuation.ts"

export interface LabelScores {
  /** Summed log-probability of each label's verbalizer tokens, in label order. */
  readonly scores: ReadonlyArray<number>
  readonly predicted: number
  /** Softmax over the label scores, at the predicted label. */
  readonly confidence: number
}

const summarise = (scores: ReadonlyArray<number>): LabelScores => {
  const predicted = scores.reduce((best, s, i) => (s > (scores[best] as number) ? i : best), 0)
  const max = scores[predicted] as number
  const total = scores.reduce((sum, s) => sum + Math.exp(s - max), 0)
  return { scores, predicted, confidence: 1 / total }
}

/** Scores every label for every prompt, in one batched forward pass; reads back asynchronously (any backend). */
export const scoreLabels = async (
  model: LanguageModel,
  adapter: Adapter,
  prompts: ReadonlyArray<ReadonlyArray<number>>,
  labelIds: ReadonlyArray<ReadonlyArray<number>>,
  padId: number,
): Promise<Array<LabelScores>> => {
  const rows = prompts.flatMap((prompt) => labelIds.map((continuation) => ({ prompt, continuation })))
  const flat = continuationLogProbs(model, adapter, rows, padId)
  const values = (await flat.data()) as Float32Array
  flat.dispose()
  const k = labelIds.length
  return prompts.map((_, i) => summarise(Array.from(values.subarray(i * k, (i + 1) * k))))
}
