// config.json of a Hugging Face T5 checkpoint (T5, T5 v1.1, FLAN-T5), decoded into the fields the
// model needs. Optional fields get transformers' T5Config defaults; feed-forward kinds other than
// "relu" and "gated-gelu" are rejected rather than silently run with the wrong activation.
import { Result, Schema } from "effect"
import { PositiveInt, TokenId } from "../config-fields.ts"
import { decodeOrDescribe } from "@peftlab/core"

export type FeedForwardKind = "relu" | "gated-gelu"

const ConfigJson = Schema.Struct({
  model_type: Schema.Literal("t5"),
  d_model: PositiveInt,
  d_kv: PositiveInt,
  d_ff: PositiveInt,
  num_layers: PositiveInt,
  num_decoder_layers: Schema.optional(Schema.NullOr(PositiveInt)),
  num_heads: PositiveInt,
  relative_attention_num_buckets: Schema.optional(PositiveInt),
  relative_attention_max_distance: Schema.optional(PositiveInt),
  layer_norm_epsilon: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  feed_forward_proj: Schema.optional(Schema.Literals(["relu", "gated-gelu"])),
  // Written by newer transformers beside feed_forward_proj, from which they follow.
  dense_act_fn: Schema.optional(Schema.Literals(["relu", "gelu_new"])),
  is_gated_act: Schema.optional(Schema.Boolean),
  tie_word_embeddings: Schema.optional(Schema.Boolean),
  vocab_size: PositiveInt,
  pad_token_id: Schema.optional(TokenId),
  eos_token_id: Schema.optional(Schema.Union([TokenId, Schema.Array(TokenId)])),
  decoder_start_token_id: Schema.optional(TokenId),
})

export interface T5Config {
  readonly d_model: number
  readonly d_kv: number
  readonly d_ff: number
  /** Encoder layers. */
  readonly num_layers: number
  readonly num_decoder_layers: number
  readonly num_heads: number
  readonly relative_attention_num_buckets: number
  readonly relative_attention_max_distance: number
  readonly layer_norm_epsilon: number
  readonly feed_forward_proj: FeedForwardKind
  /** The LM head is `shared` (decoder output scaled by d_model^-0.5) rather than its own lm_head. */
  readonly tie_word_embeddings: boolean
  readonly vocab_size: number
  readonly pad_token_id: number
  readonly eos_token_ids: ReadonlyArray<number>
  readonly decoder_start_token_id: number
}

const implied = { relu: { dense_act_fn: "relu", is_gated_act: false }, "gated-gelu": { dense_act_fn: "gelu_new", is_gated_act: true } } as const

const withDefaults = (json: typeof ConfigJson.Type): Result.Result<T5Config, string> => {
  const feedForward = json.feed_forward_proj ?? "relu"
  for (const field of ["dense_act_fn", "is_gated_act"] as const) {
    const given = json[field]
    const expected = implied[feedForward][field]
    if (given !== undefined && given !== expected) {
      return Result.fail(`field "${field}": feed_forward_proj "${feedForward}" implies ${JSON.stringify(expected)}, got ${JSON.stringify(given)}`)
    }
  }
  const buckets = json.relative_attention_num_buckets ?? 32
  const maxDistance = json.relative_attention_max_distance ?? 128
  // The encoder's bidirectional buckets give each direction buckets/2, half of them exact
  // distances; the logarithmic rest needs at least one exact bucket and a larger max distance.
  if (buckets < 4) return Result.fail(`field "relative_attention_num_buckets": expected at least 4, got ${buckets}`)
  if (maxDistance <= Math.floor(buckets / 2)) {
    return Result.fail(`field "relative_attention_max_distance": expected more than relative_attention_num_buckets / 2 = ${Math.floor(buckets / 2)}, got ${maxDistance}`)
  }
  const pad = json.pad_token_id ?? 0
  const eos = json.eos_token_id ?? 1
  return Result.succeed({
    d_model: json.d_model,
    d_kv: json.d_kv,
    d_ff: json.d_ff,
    num_layers: json.num_layers,
    num_decoder_layers: json.num_decoder_layers ?? json.num_layers,
    num_heads: json.num_heads,
    relative_attention_num_buckets: buckets,
    relative_attention_max_distance: maxDistance,
    layer_norm_epsilon: json.layer_norm_epsilon ?? 1e-6,
    feed_forward_proj: feedForward,
    tie_word_embeddings: json.tie_word_embeddings ?? true,
    vocab_size: json.vocab_size,
    pad_token_id: pad,
    eos_token_ids: typeof eos === "number" ? [eos] : eos,
    decoder_start_token_id: json.decoder_start_token_id ?? pad,
  })
}

/** config.json's fields, checked, with transformers' defaults filled in. */
export const decodeT5Config = (json: unknown): Result.Result<T5Config, string> => Result.flatMap(decodeOrDescribe(ConfigJson, json), withDefaults)
