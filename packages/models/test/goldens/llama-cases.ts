// Llama's golden cases (HF LlamaForCausalLM): grouped-query attention with head_dim apart from
// hidden / heads and an untied head; full multi-head attention with a tied head; q, k, v and o biases.
import { shortIds, shortLabels, shortMask, type GoldenCase } from "./cases.ts"

const tiny = { model_type: "llama", vocab_size: 64, num_hidden_layers: 2, rms_norm_eps: 1e-6, max_position_embeddings: 64, bos_token_id: 1, eos_token_id: 2 }
const short = { ids: shortIds, mask: shortMask, labels: shortLabels, generate: 4, keep: 5 }

export const llamaCases: ReadonlyArray<GoldenCase> = [
  {
    kind: "causal",
    name: "GQA 3:1, head_dim 6 != hidden / heads, untied",
    config: { ...tiny, hidden_size: 24, intermediate_size: 40, num_attention_heads: 6, num_key_value_heads: 2, head_dim: 6, rope_theta: 500, tie_word_embeddings: false },
    seed: 21,
    ...short,
  },
  {
    kind: "causal",
    name: "MHA, tied",
    config: { ...tiny, hidden_size: 32, intermediate_size: 48, num_attention_heads: 4, num_key_value_heads: 4, tie_word_embeddings: true },
    seed: 22,
    ...short,
  },
  {
    kind: "causal",
    name: "attention_bias: q, k, v and o biases",
    config: { ...tiny, hidden_size: 24, intermediate_size: 40, num_attention_heads: 4, num_key_value_heads: 2, attention_bias: true, tie_word_embeddings: false },
    seed: 23,
    ...short,
  },
]
