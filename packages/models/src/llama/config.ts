// config.json of a Hugging Face Llama checkpoint, or of the decoders built the same way: Mistral
// (a sliding attention window) and Qwen2 (biases on q, k and v), decoded into the fields the
// model needs. Optional fields get transformers' LlamaConfig / MistralConfig / Qwen2Config
// defaults; options we do not implement (rope scaling, MLP biases, other activations, Qwen2's
// per-layer sliding window) are rejected rather than silently ignored.
import { Result, Schema } from "effect"
import { PositiveInt, TokenId } from "../config-fields.ts"
import { decodeOrDescribe } from "@peftlab/core"

const commonFields = {
  hidden_size: PositiveInt,
  intermediate_size: PositiveInt,
  num_hidden_layers: PositiveInt,
  num_attention_heads: PositiveInt,
  num_key_value_heads: Schema.optional(PositiveInt),
  head_dim: Schema.optional(PositiveInt),
  rms_norm_eps: Schema.Finite.check(Schema.isGreaterThan(0)),
  rope_theta: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  rope_scaling: Schema.optional(Schema.Null),
  hidden_act: Schema.optional(Schema.Literal("silu")),
  mlp_bias: Schema.optional(Schema.Literal(false)),
  vocab_size: PositiveInt,
  tie_word_embeddings: Schema.optional(Schema.Boolean),
  bos_token_id: Schema.optional(TokenId),
  eos_token_id: Schema.optional(Schema.Union([TokenId, Schema.Array(TokenId)])),
  max_position_embeddings: PositiveInt,
}

// attention_bias: a bias on q, k, v and o (LlamaConfig's default: none).
const LlamaJson = Schema.Struct({ model_type: Schema.Literal("llama"), ...commonFields, attention_bias: Schema.optional(Schema.Boolean) })

// MistralConfig's sliding_window defaults to 4096; Mistral-7B-v0.3 sets it to null (no window).
const MistralJson = Schema.Struct({ model_type: Schema.Literal("mistral"), ...commonFields, sliding_window: Schema.optional(Schema.NullOr(PositiveInt)) })

// Qwen2 always has biases on q, k and v (not o). Its sliding window applies only with
// use_sliding_window, which Qwen2.5's configs leave false; sliding_window and max_window_layers
// are then unused, by transformers too.
const Qwen2Json = Schema.Struct({
  model_type: Schema.Literal("qwen2"),
  ...commonFields,
  use_sliding_window: Schema.optional(Schema.Literal(false)),
  sliding_window: Schema.optional(Schema.NullOr(PositiveInt)),
  max_window_layers: Schema.optional(Schema.Int),
})

type ConfigJson = typeof LlamaJson.Type | typeof MistralJson.Type | typeof Qwen2Json.Type

/** The attention modules that carry a bias, by their name under the layer prefix. */
export type BiasedModule = "self_attn.q_proj" | "self_attn.k_proj" | "self_attn.v_proj" | "self_attn.o_proj"

const biasesOf = (json: ConfigJson): ReadonlyArray<BiasedModule> => {
  const qkv: ReadonlyArray<BiasedModule> = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"]
  if (json.model_type === "qwen2") return qkv
  if (json.model_type === "llama" && json.attention_bias === true) return [...qkv, "self_attn.o_proj"]
  return []
}

export interface LlamaConfig {
  /** Which HF class the checkpoint is: the same decoder, Mistral's with a sliding window, Qwen2's with q, k, v biases. */
  readonly model_type: "llama" | "mistral" | "qwen2"
  readonly hidden_size: number
  readonly intermediate_size: number
  readonly num_hidden_layers: number
  readonly num_attention_heads: number
  readonly num_key_value_heads: number
  readonly head_dim: number
  readonly rms_norm_eps: number
  readonly rope_theta: number
  readonly vocab_size: number
  readonly tie_word_embeddings: boolean
  readonly bos_token_id: number | undefined
  /** Some checkpoints stop on any of several ids; always a list here. */
  readonly eos_token_ids: ReadonlyArray<number>
  readonly max_position_embeddings: number
  /** Mistral: each query attends to at most this many key positions, its own included; none when undefined. */
  readonly sliding_window: number | undefined
  /** The attention modules with a bias tensor (`<module>.bias`); none for Llama and Mistral as shipped. */
  readonly biased: ReadonlyArray<BiasedModule>
}

const withDefaults = (json: ConfigJson): Result.Result<LlamaConfig, string> => {
  const heads = json.num_attention_heads
  const kvHeads = json.num_key_value_heads ?? heads
  if (heads % kvHeads !== 0) {
    return Result.fail(`field "num_key_value_heads": ${kvHeads} does not divide num_attention_heads ${heads}`)
  }
  if (json.head_dim === undefined && json.hidden_size % heads !== 0) {
    return Result.fail(`field "head_dim": missing, and hidden_size ${json.hidden_size} is not a multiple of num_attention_heads ${heads}`)
  }
  const headDim = json.head_dim ?? json.hidden_size / heads
  if (headDim % 2 !== 0) return Result.fail(`field "head_dim": rotary embeddings need an even head dimension, got ${headDim}`)
  const eos = json.eos_token_id
  const window = json.model_type === "mistral" ? (json.sliding_window === undefined ? 4096 : json.sliding_window) : null
  return Result.succeed({
    model_type: json.model_type,
    hidden_size: json.hidden_size,
    intermediate_size: json.intermediate_size,
    num_hidden_layers: json.num_hidden_layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    rms_norm_eps: json.rms_norm_eps,
    rope_theta: json.rope_theta ?? 10000,
    vocab_size: json.vocab_size,
    tie_word_embeddings: json.tie_word_embeddings ?? false,
    bos_token_id: json.bos_token_id,
    eos_token_ids: eos === undefined ? [] : typeof eos === "number" ? [eos] : eos,
    max_position_embeddings: json.max_position_embeddings,
    sliding_window: window ?? undefined,
    biased: biasesOf(json),
  })
}

/** A Llama config.json's fields, checked, with transformers' defaults filled in. */
export const decodeLlamaConfig = (json: unknown): Result.Result<LlamaConfig, string> =>
  Result.flatMap(decodeOrDescribe(LlamaJson, json), withDefaults)

/** A Qwen2 config.json's fields, checked, with transformers' defaults filled in. */
export const decodeQwen2Config = (json: unknown): Result.Result<LlamaConfig, string> =>
  Result.flatMap(decodeOrDescribe(Qwen2Json, json), withDefaults)

/** A Mistral config.json's fields, checked, with transformers' defaults filled in. */
export const decodeMistralConfig = (json: unknown): Result.Result<LlamaConfig, string> =>
  Result.flatMap(decodeOrDescribe(MistralJson, json), withDefaults)
