// config.json of a Hugging Face Falcon checkpoint (FalconForCausalLM), decoded into the fields the
// model needs, with transformers' FalconConfig defaults. Three generations share the class:
// Falcon-RW (ALiBi, full multi-head attention, sequential attention then MLP), Falcon-7B (rotary,
// one key/value head, attention and MLP in parallel off one LayerNorm) and the new decoder
// architecture of Falcon-40B/180B (grouped key/value heads, two LayerNorms). Options we do not
// implement (rope scaling, other activations, dropout) and combinations transformers itself
// cannot run are refused by field.
import { Result, Schema } from "effect"
import { PositiveInt, TokenId } from "../config-fields.ts"
import { decodeOrDescribe } from "@peftlab/core"

const NoDropout = Schema.optional(Schema.Literal(0))

const ConfigJson = Schema.Struct({
  model_type: Schema.Literal("falcon"),
  vocab_size: Schema.optional(PositiveInt),
  hidden_size: Schema.optional(PositiveInt),
  // FalconConfig's older name for hidden_size, still read by transformers.
  n_embed: Schema.optional(Schema.NullOr(PositiveInt)),
  num_hidden_layers: Schema.optional(PositiveInt),
  num_attention_heads: Schema.optional(PositiveInt),
  num_kv_heads: Schema.optional(Schema.NullOr(PositiveInt)),
  layer_norm_epsilon: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  hidden_dropout: NoDropout,
  attention_dropout: NoDropout,
  alibi: Schema.optional(Schema.Boolean),
  new_decoder_architecture: Schema.optional(Schema.Boolean),
  multi_query: Schema.optional(Schema.Boolean),
  parallel_attn: Schema.optional(Schema.Boolean),
  bias: Schema.optional(Schema.Boolean),
  max_position_embeddings: Schema.optional(PositiveInt),
  rope_theta: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  rope_scaling: Schema.optional(Schema.Null),
  ffn_hidden_size: Schema.optional(Schema.NullOr(PositiveInt)),
  activation: Schema.optional(Schema.Literal("gelu")),
  num_ln_in_parallel_attn: Schema.optional(Schema.NullOr(Schema.Literals([1, 2]))),
  tie_word_embeddings: Schema.optional(Schema.Boolean),
  bos_token_id: Schema.optional(TokenId),
  eos_token_id: Schema.optional(Schema.Union([TokenId, Schema.Array(TokenId)])),
})

/**
 * How a decoder layer combines attention and MLP (HF FalconDecoderLayer):
 * - "sequential": h += attn(input_layernorm(h)); h += mlp(post_attention_layernorm(h)) (Falcon-RW)
 * - "parallel": h += attn(a) + mlp(a), a = input_layernorm(h) (Falcon-7B)
 * - "parallel-two-norms": h += attn(ln_attn(h)) + mlp(ln_mlp(h)) (the new decoder architecture)
 */
export type FalconLayerForm = "sequential" | "parallel" | "parallel-two-norms"

/**
 * How query_key_value's output is laid out (HF FalconAttention._split_heads):
 * - "interleaved": per head, its query, key and value (full multi-head attention)
 * - "multi-query": every query head, then the one key head, then the one value head
 * - "grouped": per key/value group, its query heads, then its key and its value
 */
export type FalconQkvLayout = "interleaved" | "multi-query" | "grouped"

export interface FalconConfig {
  readonly model_type: "falcon"
  readonly vocab_size: number
  readonly hidden_size: number
  readonly num_hidden_layers: number
  readonly num_attention_heads: number
  /** Key/value heads: num_kv_heads (new architecture), 1 (multi_query), or every head. */
  readonly num_key_value_heads: number
  readonly head_dim: number
  readonly ffn_hidden_size: number
  readonly layer_norm_epsilon: number
  /** ALiBi position biases instead of rotary embeddings. */
  readonly alibi: boolean
  readonly rope_theta: number
  /** Rotary and ALiBi tables are built this long: no sequence (prefix included) may be longer. */
  readonly max_position_embeddings: number
  /** Every linear (query_key_value, dense, the MLP's two) has a bias. */
  readonly bias: boolean
  readonly layerForm: FalconLayerForm
  readonly qkvLayout: FalconQkvLayout
  readonly tie_word_embeddings: boolean
  readonly bos_token_id: number
  /** Always a list here. */
  readonly eos_token_ids: ReadonlyArray<number>
}

// FalconConfig's defaults are Falcon-7B's.
const defaults = { vocab_size: 65024, hidden_size: 4544, num_hidden_layers: 32, num_attention_heads: 71, token: 11 } as const

const withDefaults = (json: typeof ConfigJson.Type): Result.Result<FalconConfig, string> => {
  const hidden = json.n_embed ?? json.hidden_size ?? defaults.hidden_size
  const heads = json.num_attention_heads ?? defaults.num_attention_heads
  if (hidden % heads !== 0) return Result.fail(`field "num_attention_heads": ${heads} does not divide hidden_size ${hidden}`)
  const newArchitecture = json.new_decoder_architecture ?? false
  const multiQuery = json.multi_query ?? true
  const parallel = json.parallel_attn ?? true
  const kvHeads = newArchitecture ? (json.num_kv_heads ?? heads) : multiQuery ? 1 : heads
  if (heads % kvHeads !== 0) return Result.fail(`field "num_kv_heads": ${kvHeads} does not divide num_attention_heads ${heads}`)
  const norms = json.num_ln_in_parallel_attn ?? (newArchitecture ? 2 : undefined)
  // transformers builds these layers without the LayerNorms their forward pass then calls.
  if (newArchitecture && !parallel) return Result.fail(`field "parallel_attn": false is not runnable with new_decoder_architecture (transformers' FalconDecoderLayer fails too)`)
  if (!newArchitecture && parallel && norms === 2) return Result.fail(`field "num_ln_in_parallel_attn": 2 needs new_decoder_architecture (transformers' FalconDecoderLayer fails without it)`)
  const alibi = json.alibi ?? false
  const headDim = hidden / heads
  if (!alibi && headDim % 2 !== 0) return Result.fail(`field "num_attention_heads": rotary embeddings need an even head dimension, got ${headDim}`)
  const eos = json.eos_token_id ?? defaults.token
  return Result.succeed({
    model_type: "falcon",
    vocab_size: json.vocab_size ?? defaults.vocab_size,
    hidden_size: hidden,
    num_hidden_layers: json.num_hidden_layers ?? defaults.num_hidden_layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    ffn_hidden_size: json.ffn_hidden_size ?? 4 * hidden,
    layer_norm_epsilon: json.layer_norm_epsilon ?? 1e-5,
    alibi,
    rope_theta: json.rope_theta ?? 10000,
    max_position_embeddings: json.max_position_embeddings ?? 2048,
    bias: json.bias ?? false,
    layerForm: !parallel ? "sequential" : norms === 2 ? "parallel-two-norms" : "parallel",
    qkvLayout: newArchitecture ? "grouped" : multiQuery ? "multi-query" : "interleaved",
    tie_word_embeddings: json.tie_word_embeddings ?? true,
    bos_token_id: json.bos_token_id ?? defaults.token,
    eos_token_ids: typeof eos === "number" ? [eos] : eos,
  })
}

/** A Falcon config.json's fields, checked, with transformers' defaults filled in. */
export const decodeFalconConfig = (json: unknown): Result.Result<FalconConfig, string> => Result.flatMap(decodeOrDescribe(ConfigJson, json), withDefaults)
