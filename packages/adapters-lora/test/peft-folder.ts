// Test support: what LoRA's hand-built PEFT folders hold (@peftlab/testkit/peft-folder writes
// them): LoraConfig as PEFT writes it, and lora_A/lora_B shapes under PEFT's names.

/** LoraConfig.to_dict() as PEFT 0.21.2 writes it, every field at its default but r, alpha and targets. */
export const peftDefaultLoraConfig = {
  alora_invocation_tokens: null,
  alpha_pattern: {},
  arrow_config: null,
  auto_mapping: null,
  base_model_name_or_path: "stories260k",
  bias: "none",
  corda_config: null,
  ensure_weight_tying: false,
  eva_config: null,
  exclude_modules: null,
  fan_in_fan_out: false,
  inference_mode: true,
  init_lora_weights: true,
  kasa_config: null,
  layer_replication: null,
  layers_pattern: null,
  layers_to_transform: null,
  loftq_config: {},
  lora_alpha: 8,
  lora_bias: false,
  lora_dropout: 0.05,
  lora_ga_config: null,
  megatron_config: null,
  megatron_core: "megatron.core",
  modules_to_save: null,
  monteclora_config: null,
  peft_type: "LORA",
  peft_version: "0.21.2",
  qalora_group_size: 16,
  r: 4,
  rank_pattern: {},
  revision: null,
  target_modules: ["v_proj", "q_proj"],
  target_parameters: null,
  task_type: "CAUSAL_LM",
  trainable_token_indices: null,
  use_bdlora: null,
  use_dora: false,
  use_qalora: false,
  use_rslora: false,
  velora_config: null,
} as const

/** lora_A [r, in] and lora_B [out, r] of a module, under PEFT's names. */
export const loraShapes = (module: string, r: number, inFeatures: number, outFeatures: number) => ({
  [`base_model.model.${module}.lora_A.weight`]: [r, inFeatures],
  [`base_model.model.${module}.lora_B.weight`]: [outFeatures, r],
})
