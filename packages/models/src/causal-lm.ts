// What the rest of peftlab sees of a model: embeddings in, next-token logits out, frozen
// parameters, and the linear modules adapters may wrap.
import type * as tf from "@tensorflow/tfjs"
import type { LlamaConfig } from "./config.ts"
import type { Linear } from "./llama/linear.ts"

/**
 * One layer's prefix-tuning keys and values, each [batch, numKeyValueHeads, numVirtual, headDim]:
 * prepended as already-cached entries (HF's past_key_values), so they get no rotary embedding.
 */
export interface KeyValuePrefix {
  readonly key: tf.Tensor4D
  readonly value: tf.Tensor4D
}

export interface CausalLM {
  readonly config: LlamaConfig
  readonly architecture: "llama"
  /** Frozen base parameters by HF name: plain tf.Tensors, never tf.Variables, so no gradient ever flows into them. */
  readonly parameters: ReadonlyMap<string, tf.Tensor>
  /**
   * The linear projections by HF module name ("model.layers.0.self_attn.q_proj", ..., "lm_head").
   * forward looks each one up on every call, so replacing an entry (e.g. with a LoRA-wrapped
   * module of the same shape) changes the model.
   */
  readonly linears: Map<string, Linear>
  /** Token embeddings [batch, time] int32 -> [batch, time, hidden]. */
  embed(ids: tf.Tensor2D): tf.Tensor3D
  /**
   * Logits [batch, time, vocab] from input embeddings; attentionMask [batch, time] with 1 = real
   * token, 0 = padding (keys masked). `prefix` (one entry per layer) is attended to by every
   * query, and the tokens' positions start after it, as HF does with past_key_values.
   */
  forward(input: { embeds: tf.Tensor3D; attentionMask?: tf.Tensor2D; prefix?: ReadonlyArray<KeyValuePrefix> }): tf.Tensor3D
  parameterCount(): number
  dispose(): void
}
