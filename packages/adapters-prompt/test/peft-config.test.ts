// adapter_config.json of a prompt-tuning adapter as PEFT 0.21.2 writes it: every field read,
// accepted or refused by name, and any tensor besides the prompt refused. Folders built by hand.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { expectFieldRefused, peftFolderLoader, type TensorShapes } from "@peftlab/testkit/peft-folder"
import { loadPromptTuning } from "../src/index.ts"

/** PromptTuningConfig.to_dict() as PEFT 0.21.2 writes it for stories260k. */
const peftDefault = {
  auto_mapping: null,
  base_model_name_or_path: "stories260k",
  inference_mode: true,
  modules_to_save: null,
  num_attention_heads: 8,
  num_layers: 5,
  num_transformer_submodules: 1,
  num_virtual_tokens: 4,
  peft_type: "PROMPT_TUNING",
  peft_version: "0.21.2",
  prompt_tuning_init: "RANDOM",
  prompt_tuning_init_text: null,
  revision: null,
  task_type: "CAUSAL_LM",
  token_dim: 64,
  tokenizer_kwargs: null,
  tokenizer_name_or_path: null,
}

const embeddings = { prompt_embeddings: [4, 64] }

describe("prompt-tuning adapter_config.json fields", () => {
  let model: CausalLM
  const folders = peftFolderLoader((files) => loadPromptTuning(model, files))
  const load = (config: object) => folders.load(config, embeddings)
  const refusal = (config: object, shapes: TensorShapes = embeddings) => folders.refusal(config, shapes)
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  it.each([
    ["PEFT's defaults", peftDefault],
    ["a text init, any head count and a null submodule count", { ...peftDefault, prompt_tuning_init: "TEXT", prompt_tuning_init_text: "Is it?", tokenizer_name_or_path: "stories260k", tokenizer_kwargs: { use_fast: true }, num_attention_heads: 2, num_transformer_submodules: null }],
  ])("loads %s", async (_, config) => {
    const { exit } = await load(config)
    expect(exit._tag).toBe("Success")
    if (exit._tag === "Success") {
      expect(exit.value.prompt.shape).toEqual([4, 64])
      exit.value.dispose()
    }
  })

  it.each([
    ["num_transformer_submodules", 2, { task_type: "SEQ_2_SEQ_LM" }, "virtual tokens in one transformer submodule"],
    ["num_transformer_submodules", null, { task_type: "SEQ_2_SEQ_LM" }, '1 (or null when task_type is not "SEQ_2_SEQ_LM")'],
    ["token_dim", 128, {}, "64, this model's width, or null"],
    ["modules_to_save", ["classifier"], {}, "loading whole modules saved beside the adapter is not implemented"],
    ["prompt_tuning_init", "ZEROS", {}, '"RANDOM", "TEXT" or "SAMPLE_VOCAB"'],
    ["num_prompt_tokens", 4, {}, "not a field of PEFT 0.21.2's PromptTuningConfig"],
  ])("refuses %s: %j by name", async (field, value, others, supported) => {
    expectFieldRefused(await refusal({ ...peftDefault, ...others, [field]: value }), field, value, supported)
  })

  it("refuses a tensor besides the prompt by name", async () => {
    const { dir, error } = await refusal(peftDefault, { prompt_embeddings: [4, 64], "base_model.model.score.weight": [2, 64] })
    expect(error).toMatchObject({ _tag: "AdapterTensorsUnused", tensors: ["base_model.model.score.weight"] })
    expect(error.message).toBe(`${join(dir, "adapter_model.safetensors")}: tensor "base_model.model.score.weight" is not used (a prompt-tuning adapter reads "prompt_embeddings" only)`)
  })
})
