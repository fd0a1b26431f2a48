// Tiny random checkpoints of every architecture, in exact Hugging Face layout, for tests that
// must run on each kind of model: small enough to train in a second, shaped to exercise the
// options that matter (grouped-query attention, tied and untied heads, gated feed-forward,
// Mistral's sliding window, Qwen2's attention biases, Falcon's ALiBi, Megatron-BERT's pre-LayerNorm).
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { writeRandomCheckpoint, writeRandomCheckpointFiles, type SafetensorsDtype } from "@peftlab/models"

/** The shape of both tiny encoders, BERT and Megatron-BERT. */
const tinyEncoder = {
  vocab_size: 64,
  hidden_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 40,
  max_position_embeddings: 32,
  type_vocab_size: 2,
} as const

export const tinyConfigs = {
  llama: {
    model_type: "llama",
    hidden_size: 24,
    intermediate_size: 40,
    num_hidden_layers: 2,
    num_attention_heads: 6,
    num_key_value_heads: 2,
    head_dim: 6,
    rms_norm_eps: 1e-6,
    vocab_size: 64,
    tie_word_embeddings: false,
    bos_token_id: 1,
    eos_token_id: 2,
    max_position_embeddings: 32,
  },
  // Llama's decoder with a sliding window, longer than the tests' inputs as Mistral-7B-v0.1's 4096
  // is than most prompts (a window that cuts in would hide a prompt's virtual tokens; its
  // exactness is checked in @peftlab/models' mistral tests).
  mistral: {
    model_type: "mistral",
    hidden_size: 24,
    intermediate_size: 40,
    num_hidden_layers: 2,
    num_attention_heads: 6,
    num_key_value_heads: 2,
    head_dim: 4,
    rms_norm_eps: 1e-5,
    vocab_size: 64,
    tie_word_embeddings: false,
    sliding_window: 16,
    bos_token_id: 1,
    eos_token_id: 2,
    max_position_embeddings: 32,
  },
  // Llama's decoder with q, k, v biases and a tied head, as Qwen2.5's small models are.
  qwen2: {
    model_type: "qwen2",
    hidden_size: 24,
    intermediate_size: 40,
    num_hidden_layers: 2,
    num_attention_heads: 6,
    num_key_value_heads: 3,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    vocab_size: 64,
    tie_word_embeddings: true,
    use_sliding_window: false,
    bos_token_id: 1,
    eos_token_id: 2,
    max_position_embeddings: 32,
  },
  // Falcon-RW's form: ALiBi, full multi-head attention, attention then MLP, biases, a tied head
  // (the rotary, multi-query and grouped forms are checked against transformers in @peftlab/models).
  falcon: {
    model_type: "falcon",
    hidden_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    alibi: true,
    multi_query: false,
    parallel_attn: false,
    new_decoder_architecture: false,
    bias: true,
    vocab_size: 64,
    max_position_embeddings: 32,
    bos_token_id: 1,
    eos_token_id: 2,
  },
  gpt2: { model_type: "gpt2", n_embd: 24, n_layer: 2, n_head: 4, n_positions: 32, vocab_size: 64, bos_token_id: 1, eos_token_id: 2 },
  t5: {
    model_type: "t5",
    d_model: 24,
    d_kv: 6,
    d_ff: 40,
    num_layers: 2,
    num_heads: 4,
    relative_attention_num_buckets: 8,
    relative_attention_max_distance: 16,
    feed_forward_proj: "gated-gelu",
    tie_word_embeddings: false,
    vocab_size: 64,
    pad_token_id: 0,
    eos_token_id: 1,
    decoder_start_token_id: 0,
  },
  bert: { model_type: "bert", ...tinyEncoder },
  // BERT with pre-LayerNorm layers and a final LayerNorm, as GatorTron is.
  "megatron-bert": { model_type: "megatron-bert", ...tinyEncoder },
} as const satisfies Record<string, Readonly<Record<string, unknown>>>

export type TinyArchitecture = keyof typeof tinyConfigs

/**
 * Writes a tiny random checkpoint of `architecture` to a new temporary folder and returns the
 * folder: float32 by default, or stored as `dtype` (bf16, f16) as the hub ships real models.
 */
export const writeTinyCheckpoint = async (architecture: TinyArchitecture, seed = 1, dtype?: SafetensorsDtype): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), `peftlab-tiny-${architecture}-`))
  const config = tinyConfigs[architecture]
  await Effect.runPromise(dtype === undefined ? Effect.asVoid(writeRandomCheckpoint(dir, config, seed)) : Effect.asVoid(writeRandomCheckpointFiles(dir, config, seed, { dtype })))
  return dir
}
