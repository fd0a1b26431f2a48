// adapter_config.json as PEFT writes it: every field read or refused by name, and every tensor
// of adapter_model.safetensors used or refused. Folders are built by hand; that PEFT's own
// folders load and compute as PEFT does (rank_pattern, alpha_pattern, layers_to_transform,
// exclude_modules, rsLoRA) is peft-goldens.test.ts's.
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { plugin } from "@peftlab/backend-wasm"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { expectFieldRefused, peftFolderLoader, type TensorShapes } from "@peftlab/testkit/peft-folder"
import { loadLora, type LoraAdapter } from "../src/index.ts"
import { loraShapes, peftDefaultLoraConfig } from "./peft-folder.ts"

const layers = [0, 1, 2, 3, 4]
const q = (layer: number) => `model.layers.${layer}.self_attn.q_proj`
const v = (layer: number) => `model.layers.${layer}.self_attn.v_proj`
// stories260k: q_proj 64 -> 64, v_proj 64 -> 32 (4 key/value heads of 8).
const qShapes = (layer: number, r: number) => loraShapes(q(layer), r, 64, 64)
const vShapes = (layer: number, r: number) => loraShapes(v(layer), r, 64, 32)
const everyQv = (r: number) => Object.assign({}, ...layers.flatMap((l) => [qShapes(l, r), vShapes(l, r)])) as Record<string, number[]>

describe("LoRA adapter_config.json fields", () => {
  let model: CausalLM
  const folders = peftFolderLoader((files) => loadLora(model, files))
  const refusal = (config: object, shapes: TensorShapes = everyQv(4)) => folders.refusal(config, shapes)
  const loaded = (config: object, shapes: TensorShapes = everyQv(4)): Promise<LoraAdapter> => folders.loaded(config, shapes)

  beforeAll(async () => {
    await plugin.setup()
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  it("accepts the fields that cannot change a loaded adapter at any value they take", async () => {
    const adapter = await loaded({
      ...peftDefaultLoraConfig,
      init_lora_weights: "gaussian",
      eva_config: { rho: 2 },
      loftq_config: null,
      inference_mode: false,
      revision: "main",
      auto_mapping: { base_model_class: "LlamaForCausalLM" },
      runtime_config: { ephemeral_gpu_offload: false },
      ensure_weight_tying: true,
      lora_dropout: 0,
    })
    expect(adapter.modules.size).toBe(10)
    adapter.dispose()
  })

  it.each([
    ["use_dora", "yes", "true or false"],
    ["bias", "all", "training the base modules' biases"],
    ["bias", "lora_only", "training the base modules' biases"],
    ["lora_bias", true, "a bias on LoRA's B"],
    ["modules_to_save", ["lm_head"], "loading whole modules saved beside the adapter"],
    ["init_lora_weights", "pissa_niter_4", "pissa_niter_N (its residual depends on torch's random draw"],
    ["init_lora_weights", "loftq", "loftq (PEFT's loader re-runs the LoftQ loop"],
    ["init_lora_weights", "corda", "corda"],
    ["megatron_config", { num_layers: 5 }, "Megatron"],
    ["trainable_token_indices", [1, 2], "training single token embeddings"],
    ["layer_replication", [[0, 2], [1, 5]], "layer replication"],
    ["target_parameters", ["mlp.experts.down_proj"], "LoRA on bare parameters"],
    ["velora_config", { num_groups: 32 }, "LoRA variants supported"],
    ["alora_invocation_tokens", [5, 6], "LoRA variants supported"],
    ["use_qalora", true, "LoRA variants supported"],
    ["monteclora_config", {}, "LoRA variants supported"],
    ["use_bdlora", { nblocks: 2 }, "LoRA variants supported"],
    ["arrow_config", { top_k: 2 }, "LoRA variants supported"],
    ["kasa_config", {}, "LoRA variants supported"],
    ["fan_in_fan_out", true, "false: this llama model's linear modules are nn.Linear"],
    ["target_modules", "all-linear", '"all-linear" is expanded by PEFT'],
    ["lora_dropout", 1, "a probability in [0, 1)"],
    ["use_rslora", "yes", "true or false"],
    ["rank_pattern", { q_proj: 2.5 }, "positive integer ranks"],
    ["alpha_pattern", { "(?P<name>q)_proj": 4 }, "positive alphas"],
    ["layers_pattern", "layers", "with layers_to_transform set"],
    ["use_magic", true, "not a field of PEFT 0.21.2's LoraConfig; peftlab reads peft_type, task_type"],
  ])("refuses %s: %j by name, with exit code 2", async (field, value, supported) => {
    expectFieldRefused(await refusal({ ...peftDefaultLoraConfig, [field]: value }), field, value, supported)
  })

  it("words a variant's refusal with the variants supported", async () => {
    const { dir, error } = await refusal({ ...peftDefaultLoraConfig, use_qalora: true })
    expect(error.message).toBe(`${join(dir, "adapter_config.json")}: use_qalora: true is not supported (LoRA variants supported: lora, rslora, dora)`)
  })

  it("refuses layers_to_transform with a regex target_modules, as PEFT does", async () => {
    const { error } = await refusal({ ...peftDefaultLoraConfig, target_modules: ".*\\.q_proj", layers_to_transform: [0] })
    expect(error).toMatchObject({ _tag: "AdapterFieldRefused", field: "layers_to_transform" })
  })

  it("refuses target_modules that pick none of the model's linear modules", async () => {
    const { error } = await refusal({ ...peftDefaultLoraConfig, target_modules: ["c_attn"] }, {})
    expect(error).toMatchObject({ _tag: "AdapterFieldRefused", field: "target_modules" })
    expect(error.message).toContain('target_modules: ["c_attn"] is not supported (it must pick at least one')
  })

  it("refuses by name every tensor the adapter does not use", async () => {
    const magnitude = `base_model.model.${q(0)}.lora_magnitude_vector`
    const { dir, error } = await refusal(peftDefaultLoraConfig, { ...everyQv(4), [magnitude]: [64] })
    expect(error).toMatchObject({ _tag: "AdapterTensorsUnused", source: join(dir, "adapter_model.safetensors"), tensors: [magnitude] })
    expect(error.message).toContain(`tensor "${magnitude}" is not used (a LoRA adapter reads lora_A.weight and lora_B.weight`)
    // Factors of a module the config does not target (layer 1 outside layers_to_transform) are refused too.
    const outside = await refusal({ ...peftDefaultLoraConfig, layers_to_transform: [0] }, { ...qShapes(0, 4), ...vShapes(0, 4), ...qShapes(1, 4) })
    expect(outside.error).toMatchObject({ _tag: "AdapterTensorsUnused", tensors: Object.keys(qShapes(1, 4)) })
    expect(outside.error.message).toContain("2 tensors")
  })

  it("refuses a rank_pattern the tensors do not follow with the tensor's shape", async () => {
    const { error } = await refusal({ ...peftDefaultLoraConfig, rank_pattern: { q_proj: 8 } })
    expect(error.message).toContain(`tensor "base_model.model.${q(0)}.lora_A.weight": expected shape [8, 64], got [4, 64]`)
  })
})
