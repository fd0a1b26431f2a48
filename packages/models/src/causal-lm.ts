// A decoder-only language model (Llama, GPT-2): input embeddings in, next-token logits out.
import type * as tf from "@tensorflow/tfjs"
import type { KeyValueCache } from "./layers/key-value-cache.ts"
import type { KeyValue, ModelCommon } from "./model.ts"

export interface CausalInput {
  /** [batch, time, hidden], from `embed` or with rows prepended (prompt tuning). */
  readonly embeds: tf.Tensor3D
  /** [batch, time]: 1 = real token, 0 = padding (never attended to). Defaults to all ones. */
  readonly attentionMask?: tf.Tensor2D
  /**
   * Prefix tuning's keys and values, one entry per layer: attended to by every query, as
   * already-cached positions (HF's past_key_values), so token positions start after them.
   */
  readonly prefix?: ReadonlyArray<KeyValue>
  /** Incremental decoding: attend to the cached positions too, then append this call's keys and values. */
  readonly cache?: KeyValueCache
  /** [batch, k] positions whose logits to return (all `time` positions when absent). */
  readonly outputPositions?: tf.Tensor2D
  /**
   * Return the final (normalised) hidden states [batch, time, hidden] instead of logits, for a
   * loss that applies the LM head itself chunk by chunk (see nextTokenLosses).
   */
  readonly hiddenStates?: boolean
}

export interface CausalLM extends ModelCommon {
  readonly kind: "causal"
  readonly eosTokenIds: ReadonlyArray<number>
  /**
   * Logits [batch, time, vocab] (or [batch, k, vocab] at outputPositions). Positions count the attended positions before each token
   * (prefix, cache and real tokens: HF's cumsum of the attention mask), so left padding works.
   */
  forward(input: CausalInput): tf.Tensor3D
}
