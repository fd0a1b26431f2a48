// BERT's golden cases (HF BertModel; Megatron-BERT's, MegatronBertModel, are beside them): the last
// hidden states and the pooler output of a right-padded batch with three segment types (and
// without token type ids), for each activation peftlab reads.
import type { GoldenCase } from "./cases.ts"

const batch = {
  ids: [
    [2, 7, 33, 4, 39, 12, 60, 3],
    [2, 18, 5, 30, 3, 0, 0, 0],
  ],
  mask: [
    [1, 1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 0, 0, 0],
  ],
  tokenTypeIds: [
    [0, 0, 0, 0, 1, 1, 1, 2],
    [0, 0, 1, 1, 1, 0, 0, 0],
  ],
}
const tiny = { model_type: "bert", vocab_size: 64, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 16, type_vocab_size: 3 }

export const bertCases: ReadonlyArray<GoldenCase> = [
  { kind: "encoder", name: "gelu (exact), BertConfig's epsilon", config: tiny, seed: 71, ...batch },
  { kind: "encoder", name: "no token type ids: all segment 0", config: tiny, seed: 71, ids: batch.ids, mask: batch.mask },
  { kind: "encoder", name: "gelu_new, epsilon 1e-5", config: { ...tiny, hidden_act: "gelu_new", layer_norm_eps: 1e-5 }, seed: 72, ...batch },
  { kind: "encoder", name: "relu", config: { ...tiny, hidden_act: "relu" }, seed: 73, ...batch },
]

export const megatronBertCases: ReadonlyArray<GoldenCase> = [
  { kind: "encoder", name: "pre-LayerNorm layers, a final LayerNorm", config: { ...tiny, model_type: "megatron-bert" }, seed: 81, ...batch },
]
