// An encoder-decoder model with an adapter (PEFT's PeftModelForSeq2SeqLM): virtual tokens go
// before the encoder input, prefixes into each attention stack, LoRA modules anywhere.
import * as tf from "@tensorflow/tfjs"
import { headTargetLogProbs, type Linear, type Seq2SeqLM } from "@peftlab/models"
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

/** The decoder's output for `batch`, logits or (`hiddenStates`) what the LM head reads, then `use` of it inside the adapter's pass. */
const decoded = <T extends tf.Tensor>(model: Seq2SeqLM, adapter: Adapter, batch: Seq2SeqBatch, hiddenStates: boolean, use: (output: tf.Tensor3D, runner: Seq2SeqLM) => T): T =>
  tf.tidy(() => {
    const { injection, model: runner } = injectInto(model, adapter, batch.ids.shape[0])
    const source = prependVirtualTokens(runner.embed(batch.ids), batch.attentionMask, injection.virtualTokens)
    return withLinears(runner, injection.linears, () => {
      const encoderHidden = runner.encode({ embeds: source.embeds, attentionMask: source.attentionMask, prefix: injection.prefix?.encoder })
      const output = runner.decode({
        embeds: runner.embed(batch.decoderIds),
        attentionMask: batch.decoderMask,
        encoderHidden,
        encoderMask: source.attentionMask,
        prefix: injection.prefix,
        hiddenStates,
      })
      return use(output, runner)
    })
  })

/** Decoder logits [batch, targetTime, vocab], aligned with the target (position t predicts target t); over one device binding they are refused (BindingLimitError). */
export const seq2seqLogits = (model: Seq2SeqLM, adapter: Adapter, batch: Seq2SeqBatch): tf.Tensor3D => decoded(model, adapter, batch, false, (logits) => logits)

/**
 * log p(targets[:, t]) [batch, targetTime] for the target aligned with the decoder input: what
 * targetLogProbs gives from seq2seqLogits, with the LM head (the adapter's, if it swaps it)
 * applied in chunks of rows whose logits fit one device binding (headTargetLogProbs).
 */
export const seq2seqTargetLogProbs = (model: Seq2SeqLM, adapter: Adapter, batch: Seq2SeqBatch, targets: tf.Tensor2D): tf.Tensor2D =>
  decoded(model, adapter, batch, true, (hidden, runner) => {
    const head: Linear | undefined = runner.linears.get("lm_head")
    if (!head) throw new Error(`the ${runner.architecture} model has no lm_head module`)
    return headTargetLogProbs(head, hidden, targets)
  })
