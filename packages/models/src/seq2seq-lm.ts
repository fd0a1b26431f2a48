// An encoder-decoder language model (T5): the encoder reads the source, the decoder predicts
// the target one token at a time, attending to itself and (cross-attention) to the encoder.
import type * as tf from "@tensorflow/tfjs"
import type { KeyValueCache } from "./layers/key-value-cache.ts"
import type { KeyValue, ModelCommon } from "./model.ts"

/** Prefix tuning's keys and values per attention stack, one entry per layer of that stack. */
export interface Seq2SeqPrefix {
  readonly encoder?: ReadonlyArray<KeyValue>
  readonly decoder?: ReadonlyArray<KeyValue>
  readonly cross?: ReadonlyArray<KeyValue>
}

/**
 * The decoder's state between generation steps: its self-attention keys and values so far,
 * and the cross-attention keys and values, computed from the encoder output on the first step.
 */
export interface Seq2SeqDecoderCache {
  readonly self: KeyValueCache
  /** Decoder positions cached so far (prefix included). */
  readonly length: number
  dispose(): void
}

export interface Seq2SeqLM extends ModelCommon {
  readonly kind: "seq2seq"
  readonly eosTokenIds: ReadonlyArray<number>
  /** The first decoder input (T5: the pad id), to which the target is shifted right. */
  readonly decoderStartTokenId: number
  /** Encoder hidden states [batch, time, hidden] for source embeddings [batch, time, hidden]. */
  encode(input: { embeds: tf.Tensor3D; attentionMask?: tf.Tensor2D; prefix?: ReadonlyArray<KeyValue> }): tf.Tensor3D
  /**
   * Decoder logits [batch, targetTime, vocab] for decoder input embeddings (the shifted target),
   * or [batch, k, vocab] at `outputPositions` [batch, k]; with `hiddenStates`, the decoder output
   * as the LM head reads it (T5 with a tied head: scaled by d_model^-0.5) instead of logits, for
   * scoring that applies the head itself chunk by chunk (see headTargetLogProbs).
   */
  decode(input: {
    embeds: tf.Tensor3D
    attentionMask?: tf.Tensor2D
    encoderHidden: tf.Tensor3D
    encoderMask?: tf.Tensor2D
    prefix?: Pick<Seq2SeqPrefix, "decoder" | "cross">
    cache?: Seq2SeqDecoderCache
    outputPositions?: tf.Tensor2D
    hiddenStates?: boolean
  }): tf.Tensor3D
  /** An empty decoder cache for `batch` rows, seeded with the prefix when given. */
  createCache(batch: number, prefix?: Pick<Seq2SeqPrefix, "decoder" | "cross">): Seq2SeqDecoderCache
}
