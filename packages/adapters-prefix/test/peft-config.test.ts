// adapter_config.json of a prefix-tuning adapter as PEFT 0.20.0 writes it: every field read,
// checked against the model's layout or refused by name, and any tensor besides the rows
// refused. Folders built by hand.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readPeftAdapter } from "@peftlab/adapters-base"
import { isInputError } from "@peftlab/core"
import { writeSafetensors, type CausalLM } from "@peftlab/models"
import { loadPrefixTuning } from "../src/index.ts"
import { loadStories260k } from "./stories260k.ts"

/** PrefixTuningConfig.to_dict() as PEFT 0.20.0 writes it for stories260k (GQA: 4 key/value heads of 8). */
const peftDefault = {
  auto_mapping: null,
  base_model_name_or_path: "stories260k",
  encoder_hidden_size: 32,
  inference_mode: true,
  init_weights: null,
  modules_to_save: null,
  num_attention_heads: 4,
  num_layers: 5,
  num_transformer_submodules: 1,
  num_virtual_tokens: 3,
  peft_type: "PREFIX_TUNING",
  peft_version: "0.20.0",
  prefix_projection: false,
  revision: null,
  task_type: "CAUSAL_LM",
  token_dim: 32,
}
const rows = { prompt_embeddings: [3, 320] }

const folder = async (config: object, shapes: Record<string, number[]>) => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-prefix-fields-"))
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify(config))
  const tensors = new Map(Object.entries(shapes).map(([name, shape]) => [name, { shape, data: Float32Array.from({ length: shape[0]! * shape[1]! }, (_, i) => Math.cos(i) * 0.1) }] as const))
  await Effect.runPromise(writeSafetensors(join(dir, "adapter_model.safetensors"), tensors, { format: "pt" }))
  return dir
}

describe("prefix-tuning adapter_config.json fields", () => {
  let model: CausalLM
  const load = async (config: object, shapes: Record<string, number[]> = rows) => {
    const dir = await folder(config, shapes)
    return { dir, exit: await Effect.runPromiseExit(readPeftAdapter(dir).pipe(Effect.flatMap((files) => loadPrefixTuning(model, files)))) }
  }
  const refusal = async (config: object, shapes?: Record<string, number[]>) => {
    const { dir, exit } = await load(config, shapes)
    if (exit._tag === "Success") throw new Error(`loaded ${JSON.stringify(config)}`)
    const reason = exit.cause.reasons[0]
    return { dir, error: (reason && "error" in reason ? reason.error : undefined) as { _tag: string; message: string } }
  }
  beforeAll(async () => {
    model = await loadStories260k()
  })
  afterAll(() => model?.dispose())

  it.each([
    ["PEFT's defaults", peftDefault],
    ["a projected, zero-initialised prefix with null sizes", { ...peftDefault, prefix_projection: true, encoder_hidden_size: 12, init_weights: "zero", token_dim: null, num_layers: null, num_attention_heads: null }],
  ])("loads %s", async (_, config) => {
    const { exit } = await load(config)
    expect(exit._tag).toBe("Success")
    if (exit._tag === "Success") exit.value.dispose()
  })

  it.each([
    ["num_attention_heads", 8, "4, this model's number of key/value heads, or null"],
    ["num_layers", 4, "5, this model's number of layers, or null"],
    ["token_dim", 64, "32, this model's width, or null"],
    ["num_transformer_submodules", 2, "virtual tokens in one transformer submodule"],
    ["init_weights", "normal", 'null or "zero"'],
    ["modules_to_save", ["lm_head"], "not implemented"],
    ["prefix_dim", 3, "not a field of PEFT 0.20.0's PrefixTuningConfig"],
  ])("refuses %s: %j by name", async (field, value, supported) => {
    const { dir, error } = await refusal({ ...peftDefault, [field]: value })
    const file = join(dir, "adapter_config.json")
    expect(error).toMatchObject({ _tag: "AdapterFieldRefused", source: file, field, value })
    expect(error.message.startsWith(`${file}: ${field}: ${JSON.stringify(value)} is not supported (`)).toBe(true)
    expect(error.message).toContain(supported)
    expect(isInputError(error)).toBe(true)
  })

  it("refuses a tensor besides the rows by name", async () => {
    const { error } = await refusal(peftDefault, { ...rows, "prompt_encoder.transform.0.weight": [12, 32] })
    expect(error).toMatchObject({ _tag: "AdapterTensorsUnused", tensors: ["prompt_encoder.transform.0.weight"] })
  })
})
