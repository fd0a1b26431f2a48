// A small random Llama checkpoint in a temporary folder.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Result } from "effect"
import { architectureFor, writeRandomCheckpoint as writeRandomCheckpointIn, writeSafetensors, type Float32Tensor, type LlamaConfig } from "../src/index.ts"

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

/** The tiny config's decoded form, as the naive reference takes it. */
export const tinyLlama = (() => {
  const decoded = architectureFor("llama")?.decodeConfig(tinyConfig)
  if (!decoded || Result.isFailure(decoded)) throw new Error("tinyConfig does not decode")
  return decoded.success as LlamaConfig
})()

/** A random checkpoint of tinyConfig in a new temporary folder; `omit` leaves one tensor out of the file. */
export const writeRandomCheckpoint = async (options: { omit?: string; seed?: number } = {}): Promise<{ dir: string; weights: Map<string, Float32Tensor> }> => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-llama-"))
  const weights = await Effect.runPromise(writeRandomCheckpointIn(dir, tinyConfig, options.seed ?? 1))
  if (options.omit !== undefined) {
    weights.delete(options.omit)
    await Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), weights))
  }
  return { dir, weights }
}
