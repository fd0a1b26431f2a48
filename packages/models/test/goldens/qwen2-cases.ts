// Qwen2's golden case (HF Qwen2ForCausalLM, Qwen2 and Qwen2.5): Llama's decoder with biases on q,
// k and v, grouped-query attention and a tied head, as Qwen2.5-0.5B has.
import { shortIds, shortLabels, shortMask, type GoldenCase } from "./cases.ts"

export const qwen2Cases: ReadonlyArray<GoldenCase> = [
  {
    kind: "causal",
    name: "q, k, v biases, GQA 2:1, tied",
    config: {
      model_type: "qwen2",
      vocab_size: 64,
      num_hidden_layers: 2,
      hidden_size: 32,
      intermediate_size: 48,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      max_position_embeddings: 64,
      tie_word_embeddings: true,
      use_sliding_window: false,
      bos_token_id: 1,
      eos_token_id: 2,
    },
    seed: 41,
    ids: shortIds,
    mask: shortMask,
    labels: shortLabels,
    generate: 4,
    keep: 5,
  },
]
