import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { readModelConfig, type LlamaConfig } from "../src/index.ts"
import { configFolder } from "./config-folder.ts"

const minimal = {
  model_type: "llama",
  hidden_size: 64,
  intermediate_size: 172,
  num_hidden_layers: 2,
  num_attention_heads: 8,
  rms_norm_eps: 1e-5,
  vocab_size: 512,
  max_position_embeddings: 128,
}


const readLlamaConfig = (dir: string) =>
  Effect.map(readModelConfig(dir), ({ architecture, config }) => {
    expect(architecture.modelTypes).toContain("llama")
    return config as LlamaConfig
  })
const readError = (dir: string) => Effect.runPromise(Effect.flip(readModelConfig(dir)))

describe("readModelConfig (Llama)", () => {
  it("reads the stories260k config.json", async () => {
    const config = await Effect.runPromise(readLlamaConfig(stories260kDir))
    expect(config).toEqual({
      model_type: "llama",
      hidden_size: 64,
      intermediate_size: 172,
      num_hidden_layers: 5,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      head_dim: 8,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      vocab_size: 512,
      tie_word_embeddings: true,
      bos_token_id: 1,
      eos_token_ids: [2],
      max_position_embeddings: 512,
      sliding_window: undefined,
      biased: [],
    })
  })

  it("fills transformers' defaults for optional fields", async () => {
    const config = await Effect.runPromise(readLlamaConfig(configFolder(minimal)))
    expect(config).toMatchObject({
      num_key_value_heads: 8, // = num_attention_heads
      head_dim: 8, // hidden_size / num_attention_heads
      rope_theta: 10000,
      tie_word_embeddings: false,
      bos_token_id: undefined,
      eos_token_ids: [],
    })
    const llama3Style = await Effect.runPromise(readLlamaConfig(configFolder({ ...minimal, eos_token_id: [7, 9] })))
    expect(llama3Style.eos_token_ids).toEqual([7, 9])
  })

  it.each([
    ["a missing field", { ...minimal, hidden_size: undefined }, 'field "hidden_size": Missing key'],
    ["a field of the wrong type", { ...minimal, vocab_size: "512" }, 'field "vocab_size": Expected number, got "512"'],
    ["a non-integer size", { ...minimal, intermediate_size: 17.5 }, 'field "intermediate_size": Expected an integer, got 17.5'],
    ["an architecture we do not have", { ...minimal, model_type: "mamba" }, 'field "model_type": expected one of "llama"'],
    ["no model_type", { ...minimal, model_type: undefined }, 'field "model_type": missing or not a string'],
    ["rope scaling we do not implement", { ...minimal, rope_scaling: { type: "linear", factor: 2 } }, 'field "rope_scaling"'],
    ["kv heads that do not divide the heads", { ...minimal, num_key_value_heads: 3 }, 'field "num_key_value_heads": 3 does not divide num_attention_heads 8'],
    ["an odd head_dim", { ...minimal, head_dim: 5 }, 'field "head_dim": rotary embeddings need an even head dimension, got 5'],
    ["text that is not JSON", "{ hidden_size: 64", "not valid JSON"],
  ])("names config.json and the field for %s", async (_, json, detail) => {
    const dir = configFolder(json)
    const error = await readError(dir)
    expect(error._tag).toBe("ModelFileError")
    expect(error.source).toBe(join(dir, "config.json"))
    expect(error.detail).toContain(detail)
  })

  it("reports every wrong field at once", async () => {
    const error = await readError(configFolder({ ...minimal, hidden_size: -1, rms_norm_eps: "small" }))
    expect(error.detail).toContain('field "hidden_size"')
    expect(error.detail).toContain('field "rms_norm_eps"')
  })

  it("reports a folder without config.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-config-"))
    expect(await readError(dir)).toMatchObject({ source: join(dir, "config.json"), detail: "file not found" })
  })
})
