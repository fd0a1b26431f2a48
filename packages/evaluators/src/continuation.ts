// The log-probability of a continuation (a label's verbalizer, an answer) after a prompt, for
// decoder-only and encoder-decoder models alike: the first reads prompt ++ continuation and is
// scored one position late (the causal label shift), the second encodes the prompt and decodes
// the continuation shifted right. Label scoring and training losses both build on this.
import * as tf from "@tensorflow/tfjs"
import { causalLogits, seq2seqLogits, type Adapter } from "@peftlab/adapters-base"
import { shiftTargetsRight, targetLogProbs, tokenLogProbs, type CausalLM, type Seq2SeqLM } from "@peftlab/models"
import { padBatch } from "@peftlab/tokenizers"

export type LanguageModel = CausalLM | Seq2SeqLM

export interface ContinuationRow {
  readonly prompt: ReadonlyArray<number>
  readonly continuation: ReadonlyArray<number>
}

/** Token ids and a mask marking the tokens to score, for prompt ++ continuation. */
export const withContinuation = (prompt: ReadonlyArray<number>, continuation: ReadonlyArray<number>) => ({
  ids: [...prompt, ...continuation],
  target: [...prompt.map(() => 0), ...continuation.map(() => 1)],
})

/** Right-padded [rows, time] int32 ids and their mask. */
const padded = (rows: ReadonlyArray<ReadonlyArray<number>>, padId: number) => {
  const { ids, attentionMask } = padBatch(rows.map((r) => [...r]), padId, "right")
  const shape: [number, number] = [rows.length, ids[0]?.length ?? 0]
  return { ids: tf.tensor2d(ids.flat(), shape, "int32"), mask: tf.tensor2d(attentionMask.flat(), shape, "int32") }
}

/** Tensors for a right-padded batch of (ids, target) rows. */
export const toBatch = (rows: ReadonlyArray<{ ids: ReadonlyArray<number>; target: ReadonlyArray<number> }>, padId: number) => {
  const ids = padded(rows.map((r) => r.ids), padId)
  return { ids: ids.ids, attentionMask: ids.mask, target: padded(rows.map((r) => r.target), 0).ids }
}

/**
 * Per-token log-probabilities of each row's continuation [rows, T] and the mask [rows, T] (float)
 * marking the continuation's tokens among them.
 */
export const continuationTokenLogProbs = (
  model: LanguageModel,
  adapter: Adapter,
  rows: ReadonlyArray<ContinuationRow>,
  padId: number,
): { logProbs: tf.Tensor2D; mask: tf.Tensor2D } =>
  tf.tidy(() => {
    if (model.kind === "causal") {
      const batch = toBatch(rows.map((r) => withContinuation(r.prompt, r.continuation)), padId)
      const [count, time] = batch.ids.shape
      return {
        logProbs: tokenLogProbs(causalLogits(model, adapter, batch.ids, batch.attentionMask), batch.ids),
        mask: batch.target.slice([0, 1], [count, time - 1]).toFloat() as tf.Tensor2D,
      }
    }
    const source = padded(rows.map((r) => r.prompt), padId)
    const target = padded(rows.map((r) => r.continuation), padId)
    const logits = seq2seqLogits(model, adapter, {
      ids: source.ids,
      attentionMask: source.mask,
      decoderIds: shiftTargetsRight(target.ids, model.decoderStartTokenId),
    })
    return { logProbs: targetLogProbs(logits, target.ids), mask: target.mask.toFloat() as tf.Tensor2D }
  })

/** Summed log-probability of each row's continuation, [rows]. */
export const continuationLogProbs = (model: LanguageModel, adapter: Adapter, rows: ReadonlyArray<ContinuationRow>, padId: number): tf.Tensor1D =>
  tf.tidy(() => {
    const { logProbs, mask } = continuationTokenLogProbs(model, adapter, rows, padId)
    return logProbs.mul(mask).sum(-1) as tf.Tensor1D
  })

/** Mean negative log-likelihood over every continuation token of the batch: the answer-only LM loss. */
export const continuationNll = (model: LanguageModel, adapter: Adapter, rows: ReadonlyArray<ContinuationRow>, padId: number): tf.Scalar =>
  tf.tidy(() => {
    const { logProbs, mask } = continuationTokenLogProbs(model, adapter, rows, padId)
    return logProbs.mul(mask).sum().neg().div(mask.sum().maximum(1)) as tf.Scalar
  })
