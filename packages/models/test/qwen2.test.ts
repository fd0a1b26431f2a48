// Qwen2 (HF Qwen2ForCausalLM, the Qwen2 and Qwen2.5 families): Llama's decoder with biases on q,
// k and v. Qwen2.5-0.5B's config decodes (tied head, 14:2 grouped-query attention, no sliding
// window), a sliding window it cannot honour is refused by name, and a tiny random checkpoint
// holds the biases. The forward pass with them is checked against transformers in
// transformers-goldens.test.ts.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { readModelConfig, writeRandomCheckpoint } from "../src/index.ts"
import { tinyConfig } from "./random-checkpoint.ts"
import { configFolder } from "./config-folder.ts"

// Qwen2.5-0.5B-Instruct's config.json as the hub has it.
const qwen25 = {
  architectures: ["Qwen2ForCausalLM"],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: "silu",
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: "qwen2",
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: "bfloat16",
  transformers_version: "4.43.1",
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
}

describe("Qwen2 config.json", () => {
  it("reads Qwen2.5-0.5B's: tied head, 14:2 grouped-query attention, q/k/v biases, no window", async () => {
    const { config } = await Effect.runPromise(readModelConfig(configFolder(qwen25)))
    expect(config).toMatchObject({
      model_type: "qwen2",
      head_dim: 64,
      num_key_value_heads: 2,
      tie_word_embeddings: true,
      sliding_window: undefined,
      biased: ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
    })
  })

  it("refuses use_sliding_window, which it does not implement, naming the field", async () => {
    const error = await Effect.runPromise(Effect.flip(readModelConfig(configFolder({ ...qwen25, use_sliding_window: true }))))
    expect(error.detail).toMatch(/^field "use_sliding_window": Expected false.*, got true$/)
  })
})

describe("Qwen2 on a tiny random checkpoint", () => {
  let weights: Map<string, { shape: ReadonlyArray<number>; data: Float32Array }>
  beforeAll(async () => {
    weights = await Effect.runPromise(writeRandomCheckpoint(mkdtempSync(join(tmpdir(), "peftlab-qwen2-")), { ...tinyConfig, model_type: "qwen2", tie_word_embeddings: true }, 4))
  })

  it("holds a bias for q, k and v of every layer, and none for o", () => {
    expect([...weights.keys()].filter((name) => name.endsWith(".bias"))).toStrictEqual(
      [0, 1].flatMap((layer) => ["q_proj", "k_proj", "v_proj"].map((m) => `model.layers.${layer}.self_attn.${m}.bias`)),
    )
  })
})
