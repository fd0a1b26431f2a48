// Mistral (HF MistralForCausalLM): Llama's decoder with a sliding attention window. Its config
// decodes as transformers' MistralConfig does (sliding_window 4096 when absent, none when null);
// on a tiny random checkpoint with a window shorter than the input, the window changes the later
// logits only, and with a prefix the logits match the float64 reference forward that keeps only
// the last sliding_window keys. The windowed forward is checked against transformers in
// transformers-goldens.test.ts.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { embeddingRows, naiveLlamaLogits, type NaivePrefix } from "@peftlab/references"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { loadCausalLM, readModelConfig, writeRandomCheckpoint, type LlamaConfig } from "../src/index.ts"
import { tinyConfig } from "./random-checkpoint.ts"
import { configFolder } from "./config-folder.ts"

// Mistral-7B-Instruct-v0.3's config.json as the hub has it.
const mistral7bV03 = {
  architectures: ["MistralForCausalLM"],
  attention_dropout: 0.0,
  bos_token_id: 1,
  eos_token_id: 2,
  head_dim: 128,
  hidden_act: "silu",
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: "mistral",
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 1000000.0,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: "bfloat16",
  transformers_version: "4.42.0.dev0",
  use_cache: true,
  vocab_size: 32768,
}

const configOf = async (json: Record<string, unknown>): Promise<LlamaConfig> => (await Effect.runPromise(readModelConfig(configFolder(json)))).config as LlamaConfig

describe("Mistral config.json", () => {
  it("reads Mistral-7B-v0.3's: grouped-query attention, head_dim 128, no sliding window", async () => {
    expect(await configOf(mistral7bV03)).toMatchObject({ model_type: "mistral", num_key_value_heads: 8, head_dim: 128, rope_theta: 1e6, vocab_size: 32768, sliding_window: undefined })
  })

  it("takes MistralConfig's default window of 4096 when the field is absent, and a window as given", async () => {
    const { sliding_window: _, ...withoutWindow } = mistral7bV03
    expect((await configOf(withoutWindow)).sliding_window).toBe(4096)
    expect((await configOf({ ...mistral7bV03, sliding_window: 512 })).sliding_window).toBe(512)
    expect((await Effect.runPromise(Effect.flip(readModelConfig(configFolder({ ...mistral7bV03, sliding_window: 0 }))))).detail).toMatch(/^field "sliding_window": /)
  })
})

describe("Mistral with a sliding window shorter than the input (cpu)", () => {
  const window = 3
  const config = { ...tinyConfig, model_type: "mistral", sliding_window: window }
  const ids = [1, 7, 33, 4, 49, 12, 0, 25]
  let weights: Map<string, { shape: ReadonlyArray<number>; data: Float32Array }>
  let dir: string
  let decoded: LlamaConfig
  beforeAll(async () => {
    await cpu.setup()
    dir = mkdtempSync(join(tmpdir(), "peftlab-mistral-"))
    weights = await Effect.runPromise(writeRandomCheckpoint(dir, config, 3))
    decoded = (await Effect.runPromise(readModelConfig(dir))).config as LlamaConfig
  })

  const logits = async (prefix?: ReadonlyArray<NaivePrefix>, from = dir): Promise<number[][]> => {
    const model = await Effect.runPromise(loadCausalLM(from))
    try {
      expect(model.architecture).toBe("mistral")
      const past = prefix?.map(({ key, value }) => ({ key: tf.tensor4d([key as number[][][]]), value: tf.tensor4d([value as number[][][]]) }))
      const out = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")), ...(past && { prefix: past }) }).arraySync()[0] as number[][])
      tf.dispose(past?.flatMap(({ key, value }) => [key, value]))
      return out
    } finally {
      model.dispose()
    }
  }

  const maxAbsDiff = (a: number[][], b: number[][]): number => Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - b[i]![j]!)))))

  it("attends to the last sliding_window positions only: the first logits are full attention's, the later ones are not", async () => {
    // That the windowed logits are transformers' is checked in transformers-goldens.test.ts.
    const full = mkdtempSync(join(tmpdir(), "peftlab-mistral-full-"))
    await Effect.runPromise(writeRandomCheckpoint(full, { ...config, sliding_window: null }, 3))
    const [windowed, unwindowed] = [await logits(), await logits(undefined, full)]
    expect(maxAbsDiff(windowed.slice(0, window), unwindowed.slice(0, window))).toBeLessThan(1e-6)
    expect(maxAbsDiff(windowed.slice(window), unwindowed.slice(window))).toBeGreaterThan(1e-3)
  })

  it("counts a prefix's positions in the window, as cached keys are", async () => {
    const rng = Rng.seeded(9)
    const block = () => Array.from({ length: decoded.num_key_value_heads }, () => Array.from({ length: 2 }, () => Array.from({ length: decoded.head_dim }, () => rng.normal())))
    const prefix = Array.from({ length: decoded.num_hidden_layers }, () => ({ key: block(), value: block() }))
    const reference = naiveLlamaLogits(decoded, weights, embeddingRows(weights, "model.embed_tokens.weight", ids), prefix)
    expect(maxAbsDiff(await logits(prefix), reference)).toBeLessThan(1e-4)
  })
})
