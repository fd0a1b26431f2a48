// A small random Llama checkpoint in a temporary folder, written with writeSafetensors.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Rng } from "@peftlab/core"
import { Effect } from "effect"
import { writeSafetensors, type Float32Tensor } from "../src/index.ts"

/** An untied head, 3 query heads per kv head, and head_dim 6 != hidden / heads = 4. */
export const tinyConfig = {
  model_type: "llama",
  hidden_size: 24,
  intermediate_size: 40,
  num_hidden_layers: 2,
  num_attention_heads: 6,
  num_key_value_heads: 2,
  head_dim: 6,
  rms_norm_eps: 1e-6,
  rope_theta: 500,
  vocab_size: 50,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
  max_position_embeddings: 16,
}

const shapesOf = (c: typeof tinyConfig): Array<[string, number[]]> => {
  const q = c.num_attention_heads * c.head_dim
  const kv = c.num_key_value_heads * c.head_dim
  const layers = Array.from({ length: c.num_hidden_layers }, (_, i): Array<[string, number[]]> => [
    [`model.layers.${i}.self_attn.q_proj.weight`, [q, c.hidden_size]],
    [`model.layers.${i}.self_attn.k_proj.weight`, [kv, c.hidden_size]],
    [`model.layers.${i}.self_attn.v_proj.weight`, [kv, c.hidden_size]],
    [`model.layers.${i}.self_attn.o_proj.weight`, [c.hidden_size, q]],
    [`model.layers.${i}.mlp.gate_proj.weight`, [c.intermediate_size, c.hidden_size]],
    [`model.layers.${i}.mlp.up_proj.weight`, [c.intermediate_size, c.hidden_size]],
    [`model.layers.${i}.mlp.down_proj.weight`, [c.hidden_size, c.intermediate_size]],
    [`model.layers.${i}.input_layernorm.weight`, [c.hidden_size]],
    [`model.layers.${i}.post_attention_layernorm.weight`, [c.hidden_size]],
  ])
  return [
    ["model.embed_tokens.weight", [c.vocab_size, c.hidden_size]],
    ...layers.flat(),
    ["model.norm.weight", [c.hidden_size]],
    ...(c.tie_word_embeddings ? [] : [["lm_head.weight", [c.vocab_size, c.hidden_size]] as [string, number[]]]),
  ]
}

export const writeRandomCheckpoint = async (
  options: { config?: typeof tinyConfig; omit?: string; seed?: number } = {},
): Promise<{ dir: string; weights: Map<string, Float32Tensor> }> => {
  const config = options.config ?? tinyConfig
  const rng = Rng.seeded(options.seed ?? 1)
  const weights = new Map<string, Float32Tensor>()
  for (const [name, shape] of shapesOf(config)) {
    if (name === options.omit) continue
    // Norm weights near 1 and projections at a scale that keeps activations O(1).
    const isNorm = shape.length === 1
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (isNorm ? 1 + 0.1 * rng.normal() : 0.3 * rng.normal()))
    weights.set(name, { shape, data })
  }
  const dir = mkdtempSync(join(tmpdir(), "peftlab-llama-"))
  writeFileSync(join(dir, "config.json"), JSON.stringify(config))
  await Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), weights))
  return { dir, weights }
}
