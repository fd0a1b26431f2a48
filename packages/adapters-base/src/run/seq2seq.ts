// An encoder-decoder model with an adapter (PEFT's PeftModelForSeq2SeqLM): virtual tokens go
// before the encoder input, prefixes into each attention stack, LoRA modules anywhere.
import * as tf from "@tensorflow/tfjs"
import type { Seq2SeqLM } from "@peftlab/models"
import type { Adapter } from "../adapter.ts"
import { injectInto } from "./inject-into.ts"
import { prependVirtualTokens } from "./virtual-tokens.ts"
import { withLinears } from "./with-linears.ts"

export interface Seq2SeqBatch {
  /** Source ids and mask [batch, sourceTime]. */
  readonly ids: tf.Tensor2D
  readonly attentionMask: tf.Tensor2D
  /** Decoder input ids [batch, targetTime]: the target shifted right (see shiftTargetsRight). */
  readonly decoderIds: tf.Tensor2D
  readonly decoderMask?: tf.Tensor2D
}

/** Decoder logits [batch, targetTime, vocab], aligned with the target (position t predicts target t). */
export const seq2seqLogits = (model: Seq2SeqLM, adapter: Adapter, batch: Seq2SeqBatch): tf.Tensor3D =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, batch.ids.shape[0])
    const source = prependVirtualTokens(runner.embed(batch.ids), batch.attentionMask, injection.virtualTokens)
    return withLinears(runner, injection.linears, () => {
      const encoderHidden = runner.encode({ embeds: source.embeds, attentionMask: source.attentionMask, prefix: injection.prefix?.encoder })
      return runner.decode({
        embeds: runner.embed(batch.decoderIds),
        attentionMask: batch.decoderMask,
        encoderHidden,
        encoderMask: source.attentionMask,
        prefix: injection.prefix,
      })
    })
  })
