// What the rest of peftlab sees of a model: embeddings in, next-token logits out, frozen
// parameters, and the linear modules adapters may wrap.
import type * as tf from "@tensorflow/tfjs"
import type { LlamaConfig } from "./config.ts"
import type { Linear } from "./llama/linear.ts"

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
  /** Logits [batch, time, vocab] from input embeddings; attentionMask [batch, time] with 1 = real token, 0 = padding (keys masked). */
  forward(input: { embeds: tf.Tensor3D; attentionMask?: tf.Tensor2D }): tf.Tensor3D
  parameterCount(): number
  dispose(): void
}
