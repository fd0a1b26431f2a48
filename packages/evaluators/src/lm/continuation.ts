// The log-probability of a continuation (a label's verbalizer, an answer) after a prompt, for
// decoder-only and encoder-decoder models alike: the first reads prompt ++ continuation and is
// scored one position late (the causal label shift), the second encodes the prompt and decodes
// the continuation shifted right. Label scoring and training losses both build on this. The LM
// head runs in chunks of rows whose logits fit one device binding (headTargetLogProbs), so a
// batch of long continuations over a large vocabulary is scored on webgpu too.
import * as tf from "@tensorflow/tfjs"
import { causalTargetLogProbs, seq2seqTargetLogProbs, type Adapter } from "@peftlab/adapters-base"
import { shiftTargetsRight, type CausalLM, type Seq2SeqLM } from "@peftlab/models"
import { padBatch } from "@peftlab/tokenizers"

export type LanguageModel = CausalLM | Seq2SeqLM

export interface ContinuationRow {
  readonly prompt: ReadonlyArray<number>
  readonly continuation: ReadonlyArray<number>
}

/** Right-padded [rows, time] int32 ids and their mask. */
const padded = (rows: ReadonlyArray<ReadonlyArray<number>>, padId: number) => {
  const { ids, attentionMask } = padBatch(rows.map((r) => [...r]), padId, "right")
  const shape: [number, number] = [rows.length, ids[0]?.length ?? 0]
  return { ids: tf.tensor2d(ids.flat(), shape, "int32"), mask: tf.tensor2d(attentionMask.flat(), shape, "int32") }
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
      // Only the positions that predict a continuation token reach the LM head: the last prompt
      // token's and each continuation token's but the last (the causal label shift).
      const batch = padded(rows.map((r) => [...r.prompt, ...r.continuation]), padId)
      const time = batch.ids.shape[1]
      const width = Math.max(...rows.map((r) => r.continuation.length))
      const at = (r: ContinuationRow, j: number) => Math.min(r.prompt.length - 1 + j, time - 1)
      const positions = tf.tensor2d(rows.map((r) => Array.from({ length: width }, (_, j) => at(r, j))), [rows.length, width], "int32")
      const targets = padded(rows.map((r) => r.continuation), padId)
      return {
        logProbs: causalTargetLogProbs(model, adapter, batch.ids, batch.mask, positions, targets.ids),
        mask: targets.mask.toFloat() as tf.Tensor2D,
      }
    }
    const source = padded(rows.map((r) => r.prompt), padId)
    const target = padded(rows.map((r) => r.continuation), padId)
    const decoderIds = shiftTargetsRight(target.ids, model.decoderStartTokenId)
    const logProbs = seq2seqTargetLogProbs(model, adapter, { ids: source.ids, attentionMask: source.mask, decoderIds }, target.ids)
    return { logProbs, mask: target.mask.toFloat() as tf.Tensor2D }
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
