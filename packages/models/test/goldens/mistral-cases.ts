// Mistral's golden cases (HF MistralForCausalLM): Llama's decoder with a sliding window shorter
// than the batch, and without one (Mistral-7B-v0.3's sliding_window null).
import { shortIds, shortLabels, shortMask, type GoldenCase } from "./cases.ts"

const tiny = {
  model_type: "mistral",
  vocab_size: 64,
  num_hidden_layers: 2,
  hidden_size: 24,
  intermediate_size: 40,
  num_attention_heads: 6,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 64,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
}
const short = { ids: shortIds, mask: shortMask, labels: shortLabels, generate: 4, keep: 5 }

export const mistralCases: ReadonlyArray<GoldenCase> = [
  { kind: "causal", name: "sliding window 3, shorter than the batch", config: { ...tiny, sliding_window: 3 }, seed: 31, ...short },
  { kind: "causal", name: "no sliding window", config: { ...tiny, sliding_window: null }, seed: 32, ...short },
]
