// Tiny random T5 checkpoints and prefixes, shared by the T5 model and generation tests.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { Effect, Result } from "effect"
import { afterAll, beforeAll } from "vitest"
import type { NaivePrefix } from "@peftlab/references"
import { architectureFor, loadSeq2SeqLM, writeRandomCheckpoint, type Float32Tensor, type KeyValue, type Seq2SeqLM, type T5Config } from "../src/index.ts"

/**
 * FLAN-T5's options: gated-gelu, untied head; 3 heads of 5 (inner 15 != d_model 12), more
 * decoder than encoder layers, and few buckets with a short max distance so that the test
 * sequences reach the logarithmic buckets and the last one.
 */
export const gatedJson = {
  model_type: "t5",
  d_model: 12,
  d_kv: 5,
  d_ff: 20,
  num_layers: 2,
  num_decoder_layers: 3,
  num_heads: 3,
  relative_attention_num_buckets: 8,
  relative_attention_max_distance: 10,
  layer_norm_epsilon: 1e-6,
  feed_forward_proj: "gated-gelu",
  tie_word_embeddings: false,
  vocab_size: 40,
  pad_token_id: 0,
  eos_token_id: 1,
  decoder_start_token_id: 0,
}

/** The original T5's options by default: relu, tied head (decoder output scaled by d_model^-0.5). */
export const reluJson = { model_type: "t5", d_model: 8, d_kv: 4, d_ff: 16, num_layers: 2, num_heads: 2, relative_attention_num_buckets: 6, relative_attention_max_distance: 7, vocab_size: 30 }

export const decodeT5 = (json: unknown): T5Config => {
  const decoded = architectureFor("t5")?.decodeConfig(json)
  if (!decoded || Result.isFailure(decoded)) throw new Error(`test config does not decode: ${decoded && Result.isFailure(decoded) ? decoded.failure : "no t5"}`)
  return decoded.success as T5Config
}

export const writeTinyT5 = async (json: Record<string, unknown>, seed = 1): Promise<{ dir: string; weights: Map<string, Float32Tensor> }> => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-t5-"))
  return { dir, weights: await Effect.runPromise(writeRandomCheckpoint(dir, json, seed)) }
}

/**
 * For the enclosing describe: sets `backend` up, writes a random checkpoint of `json` and loads
 * it before its tests, and frees both after them. The returned fields are filled in beforeAll.
 */
export const useTinyT5 = (json: Record<string, unknown>, backend: { setup(): Promise<unknown> }, seed = 1) => {
  const loaded = {} as { model: Seq2SeqLM; weights: Map<string, Float32Tensor> }
  let dir = ""
  beforeAll(async () => {
    await backend.setup()
    const written = await writeTinyT5(json, seed)
    dir = written.dir
    loaded.weights = written.weights
    loaded.model = await Effect.runPromise(loadSeq2SeqLM(dir))
  })
  afterAll(() => {
    loaded.model.dispose()
    rmSync(dir, { recursive: true })
  })
  return loaded
}

/** A random prefix for each of `layers` layers, [head][virtual][d_kv], at the scale of the model's keys. */
export const randomPrefix = (c: T5Config, layers: number, virtual: number, seed: number): NaivePrefix[] => {
  const rng = Rng.seeded(seed)
  const block = () => Array.from({ length: c.num_heads }, () => Array.from({ length: virtual }, () => Array.from({ length: c.d_kv }, () => rng.normal())))
  return Array.from({ length: layers }, () => ({ key: block(), value: block() }))
}

/** The prefix as the model takes it, repeated over `batch` rows. */
export const prefixTensors = (prefix: ReadonlyArray<NaivePrefix>, batch: number): KeyValue[] =>
  tf.tidy(() =>
    prefix.map(({ key, value }) => ({
      key: tf.tensor4d([key as number[][][]]).tile([batch, 1, 1, 1]) as tf.Tensor4D,
      value: tf.tensor4d([value as number[][][]]).tile([batch, 1, 1, 1]) as tf.Tensor4D,
    })),
  )

export const disposePrefix = (prefix: ReadonlyArray<KeyValue> | undefined) => tf.dispose((prefix ?? []).flatMap(({ key, value }) => [key, value]))
