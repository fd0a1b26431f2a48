// What every kind of base model shares, whatever its architecture (the kinds themselves, and
// their union, are in causal-lm.ts, seq2seq-lm.ts, encoder-model.ts and base-model.ts): the same
// frozen parameters, swappable linear modules and input embeddings, so adapters can work on all
// of them. A leaf: the kinds import it, it imports none of them.
import type * as tf from "@tensorflow/tfjs"
import type { FrozenActivationCache } from "./layers/frozen-activations.ts"
import type { Linear } from "./layers/linear.ts"
import type { Parameters } from "./parameters.ts"

/** The sizes adapters need, under Llama's config names whatever the architecture calls them. */
export interface ModelDims {
  readonly hidden_size: number
  /** Layers of each attention stack (T5's encoder and decoder have this many each). */
  readonly num_hidden_layers: number
  readonly num_attention_heads: number
  readonly num_key_value_heads: number
  readonly head_dim: number
  readonly vocab_size: number
  /** Positions the model has (GPT-2's n_positions); absent where relative positions set no limit (T5). */
  readonly max_position_embeddings?: number
}

/** One layer's keys and values, each [batch, kvHeads, positions, headDim]. */
export interface KeyValue {
  readonly key: tf.Tensor4D
  readonly value: tf.Tensor4D
}

/** What every kind shares. */
export interface ModelCommon {
  /** config.json's model_type, e.g. "llama", "gpt2", "t5", "bert". */
  readonly architecture: string
  /** The decoded config.json the model was built from (each architecture's own type). */
  readonly config: unknown
  readonly dims: ModelDims
  /**
   * Parameters by HF name. A loaded base's are plain tf.Tensors (constants: no gradient flows
   * into them), or with weights "host" its weight matrices are frozen matrices on the host
   * (frozen/); a trainable copy's (trainableCopy) are the tf.Variables that training updates.
   */
  readonly parameters: Parameters
  /**
   * The linear projections by HF module name (e.g. "model.layers.0.self_attn.q_proj").
   * Forward passes look each one up on every call, so replacing an entry (e.g. with a
   * LoRA-wrapped module of the same shape) changes the model.
   */
  readonly linears: Map<string, Linear>
  /**
   * Gradient checkpointing (HF's gradient_checkpointing_enable): while enabled, each layer's
   * activations are recomputed in the backward pass instead of kept (layers/checkpoint.ts).
   * Forward values are unchanged. Absent where the architecture has no such mode.
   */
  readonly gradientCheckpointing?: { enabled: boolean }
  /**
   * While `cache` is set, the hidden states entering the lowest adapted layer are cached per
   * example and the frozen layers below it skipped on later passes (layers/frozen-activations.ts).
   * Values are unchanged. Absent where the architecture has no such mode.
   */
  readonly frozenActivations?: { cache: FrozenActivationCache | undefined }
  /** Token embeddings [batch, time] int32 -> [batch, time, hidden], before any position information. */
  embed(ids: tf.Tensor2D): tf.Tensor3D
  parameterCount(): number
  dispose(): void
}
