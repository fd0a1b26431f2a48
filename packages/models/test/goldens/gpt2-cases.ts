// GPT-2's golden cases (HF GPT2LMHeadModel): a tied head with n_inner null (4 * n_embd), and an
// untied head with its own n_inner and LayerNorm epsilon.
import { shortIds, shortLabels, shortMask, type GoldenCase } from "./cases.ts"

const tied = { model_type: "gpt2", n_embd: 12, n_layer: 2, n_head: 3, n_inner: null, n_positions: 32, vocab_size: 64, bos_token_id: 0, eos_token_id: 1 }
const short = { ids: shortIds, mask: shortMask, labels: shortLabels, generate: 4, keep: 5 }

export const gpt2Cases: ReadonlyArray<GoldenCase> = [
  { kind: "causal", name: "tied head, n_inner null", config: tied, seed: 51, ...short },
  { kind: "causal", name: "untied head, n_inner 20, epsilon 1e-3", config: { ...tied, n_inner: 20, layer_norm_epsilon: 1e-3, tie_word_embeddings: false }, seed: 52, ...short },
]
