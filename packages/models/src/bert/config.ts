// config.json of a Hugging Face BERT checkpoint (BertModel, BertForQuestionAnswering,
// BertForSequenceClassification ...) or of Megatron-BERT (GatorTron: BERT with pre-LayerNorm
// layers), decoded into the fields the encoder needs. Every field is optional, as in
// transformers' BertConfig and MegatronBertConfig (save_pretrained leaves out values equal to
// their defaults, which differ); options we do not implement (relative positions, decoder use)
// are rejected.
import { Result, Schema } from "effect"
import { PositiveInt } from "../config-fields.ts"
import { decodeOrDescribe } from "@peftlab/core"

/** transformers' ACT2FN names this encoder implements. */
export const bertActivations = ["gelu", "gelu_new", "relu"] as const
export type BertActivation = (typeof bertActivations)[number]

const ConfigJson = Schema.Struct({
  model_type: Schema.Literals(["bert", "megatron-bert"]),
  vocab_size: Schema.optional(PositiveInt),
  hidden_size: Schema.optional(PositiveInt),
  num_hidden_layers: Schema.optional(PositiveInt),
  num_attention_heads: Schema.optional(PositiveInt),
  intermediate_size: Schema.optional(PositiveInt),
  hidden_act: Schema.optional(Schema.Literals(bertActivations)),
  max_position_embeddings: Schema.optional(PositiveInt),
  type_vocab_size: Schema.optional(PositiveInt),
  initializer_range: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  layer_norm_eps: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0))),
  position_embedding_type: Schema.optional(Schema.Literal("absolute")),
  is_decoder: Schema.optional(Schema.Literal(false)),
  add_cross_attention: Schema.optional(Schema.Literal(false)),
  num_labels: Schema.optional(PositiveInt),
  id2label: Schema.optional(Schema.Record(Schema.String, Schema.String)),
})

export interface BertConfig {
  /** "megatron-bert": LayerNorm before attention and feed-forward, none on the embeddings, one after the last layer. */
  readonly model_type: "bert" | "megatron-bert"
  readonly vocab_size: number
  readonly hidden_size: number
  readonly num_hidden_layers: number
  readonly num_attention_heads: number
  /** hidden_size / num_attention_heads. */
  readonly head_dim: number
  readonly intermediate_size: number
  readonly hidden_act: BertActivation
  /** Learned absolute positions: no sequence (prefix included) may be longer. */
  readonly max_position_embeddings: number
  /** Rows of the token-type (segment) embedding table. */
  readonly type_vocab_size: number
  /** The std of a freshly initialised head's weights. */
  readonly initializer_range: number
  readonly layer_norm_eps: number
  /** BertForSequenceClassification's output width: id2label's size, else num_labels, else 2. */
  readonly num_labels: number
}

// BertConfig's defaults, and MegatronBertConfig's where they differ (megatron-bert-345m's shape).
const defaults = {
  bert: { vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072 },
  "megatron-bert": { vocab_size: 29056, hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, intermediate_size: 4096 },
} as const

const withDefaults = (json: typeof ConfigJson.Type): Result.Result<BertConfig, string> => {
  const d = defaults[json.model_type]
  const hidden = json.hidden_size ?? d.hidden_size
  const heads = json.num_attention_heads ?? d.num_attention_heads
  if (hidden % heads !== 0) return Result.fail(`field "num_attention_heads": ${heads} does not divide hidden_size ${hidden}`)
  return Result.succeed({
    model_type: json.model_type,
    vocab_size: json.vocab_size ?? d.vocab_size,
    hidden_size: hidden,
    num_hidden_layers: json.num_hidden_layers ?? d.num_hidden_layers,
    num_attention_heads: heads,
    head_dim: hidden / heads,
    intermediate_size: json.intermediate_size ?? d.intermediate_size,
    hidden_act: json.hidden_act ?? "gelu",
    max_position_embeddings: json.max_position_embeddings ?? 512,
    type_vocab_size: json.type_vocab_size ?? 2,
    initializer_range: json.initializer_range ?? 0.02,
    layer_norm_eps: json.layer_norm_eps ?? 1e-12,
    num_labels: json.id2label ? Object.keys(json.id2label).length : (json.num_labels ?? 2),
  })
}

/** config.json's fields, checked, with transformers' defaults filled in. */
export const decodeBertConfig = (json: unknown): Result.Result<BertConfig, string> => Result.flatMap(decodeOrDescribe(ConfigJson, json), withDefaults)
