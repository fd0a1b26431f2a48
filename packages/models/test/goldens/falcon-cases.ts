// Falcon's golden cases (HF FalconForCausalLM): tiny random checkpoints of each of Falcon's three
// forms, and ALiBi past 256 positions, where transformers' bfloat16 rounding of the positions shows.
import { shortIds, shortLabels, shortMask, type GoldenCase } from "./cases.ts"

const tiny = { model_type: "falcon", vocab_size: 64, num_hidden_layers: 2, max_position_embeddings: 512, bos_token_id: 1, eos_token_id: 2 }
const rw = { ...tiny, hidden_size: 24, num_attention_heads: 6, alibi: true, multi_query: false, parallel_attn: false, new_decoder_architecture: false, bias: true }
const short = { ids: shortIds, mask: shortMask, labels: shortLabels, generate: 4, keep: 5 }

// 300 positions: past 256, where bfloat16 no longer holds every integer.
const longIds = [Array.from({ length: 300 }, (_, t) => (t * 37 + 11) % 64)]

export const falconCases: ReadonlyArray<GoldenCase> = [
  // Falcon-RW-1B's form, with 6 heads so the slopes take the second (odd powers) sequence too.
  { kind: "causal", name: "rw: alibi, multi-head, sequential, biases, tied", config: rw, seed: 11, ...short },
  { kind: "causal", name: "rw at 300 positions", config: rw, seed: 12, ids: longIds, mask: [longIds[0]!.map(() => 1)], keep: 3 },
  {
    // Falcon-7B's form.
    kind: "causal",
    name: "7b: rotary, multi-query, parallel, untied",
    config: { ...tiny, hidden_size: 32, num_attention_heads: 4, alibi: false, multi_query: true, parallel_attn: true, new_decoder_architecture: false, bias: false, tie_word_embeddings: false },
    seed: 13,
    ...short,
  },
  {
    // Falcon-40B/180B's new decoder architecture.
    kind: "causal",
    name: "new architecture: rotary, grouped key/value heads, two LayerNorms",
    config: { ...tiny, hidden_size: 32, num_attention_heads: 4, num_kv_heads: 2, alibi: false, new_decoder_architecture: true, parallel_attn: true, bias: false, rope_theta: 500000, ffn_hidden_size: 48 },
    seed: 14,
    ...short,
  },
]
