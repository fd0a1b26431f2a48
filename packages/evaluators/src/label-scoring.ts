// Label scoring with verbalizers: each label is a short text (" yes"); its score after a prompt
// is the model's log-probability of that text's tokens, summed when it spans several. The
// highest-scoring label is the prediction; a softmax over the label scores is its confidence.
import * as tf from "@tensorflow/tfjs"
import type { Adapter } from "@peftlab/adapters-base"
import { sequenceLogProb, type CausalLM } from "@peftlab/models"
import { padBatch } from "@peftlab/tokenizers"

export interface LabelScores {
  /** Summed log-probability of each label's verbalizer tokens, in label order. */
  readonly scores: ReadonlyArray<number>
  readonly predicted: number
  /** Softmax over the label scores, at the predicted label. */
  readonly confidence: number
}

/** Token ids and a mask marking the tokens to score, for prompt ++ continuation. */
export const withContinuation = (prompt: ReadonlyArray<number>, continuation: ReadonlyArray<number>) => ({
  ids: [...prompt, ...continuation],
  target: [...prompt.map(() => 0), ...continuation.map(() => 1)],
})

/** Tensors for a right-padded batch of (ids, target) rows. */
export const toBatch = (rows: ReadonlyArray<{ ids: ReadonlyArray<number>; target: ReadonlyArray<number> }>, padId: number) => {
  const ids = padBatch(rows.map((r) => [...r.ids]), padId, "right")
  const target = padBatch(rows.map((r) => [...r.target]), 0, "right")
  const shape: [number, number] = [rows.length, ids.ids[0]?.length ?? 0]
  return {
    ids: tf.tensor2d(ids.ids.flat(), shape, "int32"),
    attentionMask: tf.tensor2d(ids.attentionMask.flat(), shape, "int32"),
    target: tf.tensor2d(target.ids.flat(), shape, "int32"),
  }
}

const summarise = (scores: ReadonlyArray<number>): LabelScores => {
  const predicted = scores.reduce((best, s, i) => (s > (scores[best] as number) ? i : best), 0)
  const max = scores[predicted] as number
  const total = scores.reduce((sum, s) => sum + Math.exp(s - max), 0)
  return { scores, predicted, confidence: 1 / total }
}

/** Scores every label for every prompt, in one batched forward pass. */
export const scoreLabels = (
  model: CausalLM,
  adapter: Adapter,
  prompts: ReadonlyArray<ReadonlyArray<number>>,
  labelIds: ReadonlyArray<ReadonlyArray<number>>,
  padId: number,
): Array<LabelScores> => {
  const rows = prompts.flatMap((prompt) => labelIds.map((label) => withContinuation(prompt, label)))
  const flat = tf.tidy(() => {
    const batch = toBatch(rows, padId)
    return sequenceLogProb(adapter.logits(model, batch.ids, batch.attentionMask), batch.ids, batch.target)
  })
  const values = flat.dataSync()
  flat.dispose()
  const k = labelIds.length
  return prompts.map((_, i) => summarise(Array.from(values.subarray(i * k, (i + 1) * k))))
}
