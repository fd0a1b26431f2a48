// config.json of a Hugging Face Llama checkpoint, decoded into the fields the model needs.
// Optional fields get transformers' LlamaConfig defaults; options we do not implement
// (rope scaling, biases, other activations) are rejected rather than silently ignored.
import { Result, Schema } from "effect"
import { PositiveInt, TokenId } from "../config-fields.ts"
import { decodeOrDescribe } from "../schema-issues.ts"

const ConfigJson = Schema.Struct({
  model_type: Schema.Literal("llama"),
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
  attention_bias: Schema.optional(Schema.Literal(false)),
  mlp_bias: Schema.optional(Schema.Literal(false)),
  vocab_size: PositiveInt,
  tie_word_embeddings: Schema.optional(Schema.Boolean),
  bos_token_id: Schema.optional(TokenId),
  eos_token_id: Schema.optional(Schema.Union([TokenId, Schema.Array(TokenId)])),
  max_position_embeddings: PositiveInt,
})

export interface LlamaConfig {
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
}

const withDefaults = (json: typeof ConfigJson.Type): Result.Result<LlamaConfig, string> => {
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
  return Result.succeed({
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
  })
}

/** config.json's fields, checked, with transformers' defaults filled in. */
export const decodeLlamaConfig = (json: unknown): Result.Result<LlamaConfig, string> =>
  Result.flatMap(decodeOrDescribe(ConfigJson, json), withDefaults)
