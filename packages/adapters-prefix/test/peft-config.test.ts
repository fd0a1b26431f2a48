// adapter_config.json of a prefix-tuning adapter as PEFT 0.21.2 writes it: every field read,
// checked against the model's layout or refused by name, and any tensor besides the rows
// refused. Folders built by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectFieldRefused, peftFolderLoader, type TensorShapes } from "@peftlab/testkit/peft-folder"
import type { CausalLM } from "@peftlab/models"
import { loadPrefixTuning } from "../src/index.ts"
import { loadStories260k } from "./stories260k.ts"

/** PrefixTuningConfig.to_dict() as PEFT 0.21.2 writes it for stories260k (GQA: 4 key/value heads of 8). */
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
  peft_version: "0.21.2",
  prefix_projection: false,
  revision: null,
  task_type: "CAUSAL_LM",
  token_dim: 32,
}
const rows = { prompt_embeddings: [3, 320] }

describe("prefix-tuning adapter_config.json fields", () => {
  let model: CausalLM
  const folders = peftFolderLoader((files) => loadPrefixTuning(model, files))
  const load = (config: object) => folders.load(config, rows)
  const refusal = (config: object, shapes: TensorShapes = rows) => folders.refusal(config, shapes)
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
    ["num_transformer_submodules", 2, "1 or null"],
    ["init_weights", "normal", 'null or "zero"'],
    ["modules_to_save", ["lm_head"], "not implemented"],
    ["prefix_dim", 3, "not a field of PEFT 0.21.2's PrefixTuningConfig"],
  ])("refuses %s: %j by name", async (field, value, supported) => {
    expectFieldRefused(await refusal({ ...peftDefault, [field]: value }), field, value, supported)
  })

  it("refuses a tensor besides the rows by name", async () => {
    const { error } = await refusal(peftDefault, { ...rows, "prompt_encoder.transform.0.weight": [12, 32] })
    expect(error).toMatchObject({ _tag: "AdapterTensorsUnused", tensors: ["prompt_encoder.transform.0.weight"] })
  })
})
