// config.json of a Hugging Face GPT-2 checkpoint (GPT2LMHeadModel), decoded into the fields the
// model needs. Optional fields get transformers' GPT2Config defaults; options we do not
// implement (other activations, per-layer attention scaling, cross-attention) are rejected.
import { Result, Schema } from "effect"
import { PositiveInt, TokenId } from "../config-fields.ts"
import { decodeOrDescribe } from "@peftlab/core"

const ConfigJson = Schema.Struct({
  model_type: Schema.Literal("gpt2"),
  n_embd: PositiveInt,
  n_layer: PositiveInt,
  n_head: PositiveInt,
  n_inner: Schema.optional(Schema.NullOr(PositiveInt)),
  n_positions: PositiveInt,
  vocab_size: PositiveInt,
  layer_norm_epsilon: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  activation_function: Schema.optional(Schema.Literal("gelu_new")),
  scale_attn_weights: Schema.optional(Schema.Literal(true)),
  scale_attn_by_inverse_layer_idx: Schema.optional(Schema.Literal(false)),
  reorder_and_upcast_attn: Schema.optional(Schema.Literal(false)),
  add_cross_attention: Schema.optional(Schema.Literal(false)),
  tie_word_embeddings: Schema.optional(Schema.Boolean),
  bos_token_id: Schema.optional(TokenId),
  eos_token_id: Schema.optional(Schema.Union([TokenId, Schema.Array(TokenId)])),
})

export interface Gpt2Config {
  readonly n_embd: number
  readonly n_layer: number
  readonly n_head: number
  /** n_embd / n_head. */
  readonly head_dim: number
  /** The MLP's inner width: n_inner, or 4 * n_embd when config.json leaves it null. */
  readonly n_inner: number
  /** Learned positions: no sequence (prefix included) may be longer. */
  readonly n_positions: number
  readonly vocab_size: number
  readonly layer_norm_epsilon: number
  /** Whether the LM head is the token embedding matrix (GPT2LMHeadModel's default) or its own lm_head.weight. */
  readonly tie_word_embeddings: boolean
  readonly bos_token_id: number
  /** Always a list here. */
  readonly eos_token_ids: ReadonlyArray<number>
}

const gpt2EndOfText = 50256

const withDefaults = (json: typeof ConfigJson.Type): Result.Result<Gpt2Config, string> => {
  if (json.n_embd % json.n_head !== 0) return Result.fail(`field "n_head": ${json.n_head} does not divide n_embd ${json.n_embd}`)
  const eos = json.eos_token_id ?? gpt2EndOfText
  return Result.succeed({
    n_embd: json.n_embd,
    n_layer: json.n_layer,
    n_head: json.n_head,
    head_dim: json.n_embd / json.n_head,
    n_inner: json.n_inner ?? 4 * json.n_embd,
    n_positions: json.n_positions,
    vocab_size: json.vocab_size,
    layer_norm_epsilon: json.layer_norm_epsilon ?? 1e-5,
    tie_word_embeddings: json.tie_word_embeddings ?? true,
    bos_token_id: json.bos_token_id ?? gpt2EndOfText,
    eos_token_ids: typeof eos === "number" ? [eos] : eos,
  })
}

/** config.json's fields, checked, with transformers' defaults filled in. */
export const decodeGpt2Config = (json: unknown): Result.Result<Gpt2Config, string> => Result.flatMap(decodeOrDescribe(ConfigJson, json), withDefaults)
