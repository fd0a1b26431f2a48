// Every field of PEFT's LoraConfig (PEFT 0.21.2: 0.20.0's and kasa_config) as
// peftlab reads it from adapter_config.json: read into a LoraConfig, accepted because it cannot
// change a loaded adapter, or refused by name. A field not listed here is refused as unknown.
import { Effect, Schema } from "effect"
import { acceptIf, acceptWhere, AdapterFileError, checkConfigFields, configField, peftConfigRules, type FieldRules, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { isQuantizedLinear, type BaseModel } from "@peftlab/models"
import type { LoraConfig } from "./config.ts"

const PositiveInt = Schema.Int.pipe(Schema.check(Schema.isGreaterThan(0)))
const LayerIndex = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
const Positive = Schema.Finite.pipe(Schema.check(Schema.isGreaterThan(0)))
const Dropout = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThan(1)))
const Names = Schema.Union([Schema.String, Schema.Array(Schema.String)])
const Layers = Schema.NullOr(Schema.Union([LayerIndex, Schema.Array(LayerIndex)]))
const RankPattern = Schema.NullOr(Schema.Record(Schema.String, PositiveInt))
const AlphaPattern = Schema.NullOr(Schema.Record(Schema.String, Positive))
const InitOnly = Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown))

/** The fields a LoraConfig is built from, once every field has passed its rule. */
const LoraFields = Schema.Struct({
  r: PositiveInt,
  lora_alpha: Positive,
  target_modules: Names,
  lora_dropout: Schema.optional(Dropout),
  use_rslora: Schema.optional(Schema.Boolean),
  exclude_modules: Schema.optional(Schema.NullOr(Names)),
  layers_to_transform: Schema.optional(Layers),
  layers_pattern: Schema.optional(Schema.NullOr(Names)),
  rank_pattern: Schema.optional(RankPattern),
  alpha_pattern: Schema.optional(AlphaPattern),
  use_dora: Schema.optional(Schema.Boolean),
  init_lora_weights: Schema.optional(Schema.Unknown),
})

// Regexes PEFT runs with Python's re; refused when JavaScript cannot read one.
const compiles = (pattern: string): boolean => {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}
const regexesCompile = (value: unknown): boolean => typeof value !== "string" || compiles(value)
const keysCompile = (value: unknown): boolean => value === null || Object.keys(value as object).every(compiles)
const isNames = Schema.is(Schema.NullOr(Names))
const isLayers = Schema.is(Layers)
const isSet = (value: unknown): boolean => value !== undefined && value !== null
const variants = "LoRA variants supported: lora, rslora, dora"
const notImplemented = (what: string) => `null: ${what} is not implemented`

/** The rule for each LoraConfig field, for an adapter loaded onto `model`. */
export const loraFieldRules = (model: BaseModel): FieldRules => {
  const conv1d = model.architecture === "gpt2"
  // OLoRA and PiSSA factorise the stored weight: PEFT's olora_init breaks on a Conv1D's [in, out] layout (peftlab's
  // inits read the weight [out, in] only), OLoRA re-quantizes a quantized base (NF4 or int8) and pissa_init refuses one.
  const residualHere = !conv1d && ![...model.linears.values()].some(isQuantizedLinear)
  return {
    ...peftConfigRules("LORA"),
    r: acceptIf(PositiveInt, "a positive integer"),
    lora_alpha: acceptIf(Positive, "a positive number"),
    target_modules: acceptWhere(
      (value) => Schema.is(Names)(value) && value.length > 0 && value !== "all-linear" && regexesCompile(value),
      'module names or a regex; "all-linear" is expanded by PEFT when it builds a model and is not read back',
    ),
    exclude_modules: acceptWhere((value) => isNames(value) && regexesCompile(value), "null, module names or a regex"),
    layers_to_transform: acceptWhere(
      (value, config) => isLayers(value) && (value === null || typeof config["target_modules"] !== "string"),
      "null, or a layer index or a list of them with target_modules a list (PEFT refuses it with a regex)",
    ),
    layers_pattern: acceptWhere(
      (value, config) => isNames(value) && (value === null || (isSet(config["layers_to_transform"]) && typeof config["target_modules"] !== "string")),
      "null, or the layers' name segment with layers_to_transform set and target_modules a list (as PEFT requires)",
    ),
    rank_pattern: acceptWhere((value) => Schema.is(RankPattern)(value) && keysCompile(value), "{} or module-name regexes mapped to positive integer ranks"),
    alpha_pattern: acceptWhere((value) => Schema.is(AlphaPattern)(value) && keysCompile(value), "{} or module-name regexes mapped to positive alphas"),
    lora_dropout: acceptIf(Dropout, "a probability in [0, 1)"),
    use_rslora: acceptIf(Schema.Boolean, "true or false"),
    fan_in_fan_out: acceptIf(
      Schema.Literal(conv1d),
      `${conv1d}: this ${model.architecture} model's linear modules are ${conv1d ? "Conv1D, stored [in, out]" : "nn.Linear, stored [out, in]"}`,
    ),
    bias: acceptIf(Schema.Literal("none"), '"none": training the base modules\' biases ("all", "lora_only") is not implemented'),
    lora_bias: acceptIf(Schema.Literal(false), "false: a bias on LoRA's B is not implemented"),
    modules_to_save: acceptIf(Schema.NullOr(Schema.Tuple([])), "null or []: loading whole modules saved beside the adapter is not implemented"),
    init_lora_weights: acceptWhere(
      (value) =>
        value === true ||
        value === false ||
        value === "gaussian" ||
        value === "eva" ||
        value === "orthogonal" ||
        value === "mica" ||
        ((value === "olora" || value === "pissa") && residualHere),
      'true, false, "gaussian", "eva", "orthogonal", "mica" (which leave the base weights as they are), "olora" or "pissa" (PEFT re-runs the init on the base it loads onto, and so does peftlab: the residual W - scale B₀ A₀ rebuilt from the base' +
        (residualHere ? ")" : `; not on ${conv1d ? "GPT-2's Conv1D, where PEFT's own olora_init fails" : "a quantized (NF4 or int8) base, which PEFT re-quantizes or refuses"})`) +
        "; pissa_niter_N (its residual depends on torch's random draw in svd_lowrank, so no one can rebuild it), loftq (PEFT's loader re-runs the LoftQ loop over the base on CUDA), corda and lora_ga are not reproduced " +
        "(PEFT's save_pretrained with path_initial_model_for_weight_conversion makes a plain LoRA of rank 2r of them, as peftlab saves its PiSSA and LoftQ adapters)",
    ),
    loftq_config: acceptIf(InitOnly, 'null or an object: read only with init_lora_weights "loftq"'),
    eva_config: acceptIf(InitOnly, 'null or an object: read only with init_lora_weights "eva"'),
    corda_config: acceptIf(InitOnly, 'null or an object: read only with init_lora_weights "corda"'),
    lora_ga_config: acceptIf(InitOnly, 'null or an object: read only with init_lora_weights "lora_ga"'),
    megatron_config: acceptIf(Schema.Null, notImplemented("LoRA on Megatron's parallel linear layers")),
    megatron_core: acceptIf(Schema.NullOr(Schema.String), "a module name or null: read with megatron_config only"),
    trainable_token_indices: acceptIf(Schema.Null, notImplemented("training single token embeddings")),
    layer_replication: acceptIf(Schema.Null, notImplemented("layer replication")),
    target_parameters: acceptIf(Schema.NullOr(Schema.Tuple([])), "null or []: LoRA on bare parameters is not implemented"),
    use_dora: acceptIf(Schema.Boolean, "true or false"),
    velora_config: acceptIf(Schema.Null, variants),
    alora_invocation_tokens: acceptIf(Schema.Null, variants),
    use_qalora: acceptIf(Schema.Literal(false), variants),
    qalora_group_size: acceptIf(Schema.Number, "a number: read with use_qalora only"),
    monteclora_config: acceptIf(Schema.Null, variants),
    use_bdlora: acceptIf(Schema.Null, variants),
    arrow_config: acceptIf(Schema.Null, variants),
    kasa_config: acceptIf(Schema.Null, variants),
    runtime_config: acceptIf(Schema.Unknown, "any value: runtime settings only"),
    ensure_weight_tying: acceptIf(Schema.Boolean, "true or false: tying concerns modules_to_save and embeddings, which are not loaded"),
  }
}

/** A LoraConfig from PEFT's files for `model`, or the refusal of the first field it cannot honour. */
export const readLoraConfig = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    yield* configField(files, "peft_type", '"LORA"', (u): u is "LORA" => u === "LORA")
    yield* configField(files, "r", "a positive integer", Schema.is(PositiveInt))
    yield* configField(files, "lora_alpha", "a positive number", Schema.is(Positive))
    yield* configField(files, "target_modules", "a module name list or a regex string", Schema.is(Names))
    yield* checkConfigFields(files, "LoraConfig", loraFieldRules(model))
    const fields = files.config
    if (!Schema.is(LoraFields)(fields)) {
      return yield* Effect.fail(new AdapterFileError({ source: files.dir, detail: "adapter_config.json passed every field check but is not a LoRA config" }))
    }
    const { exclude_modules: exclude, layers_to_transform: layers, layers_pattern: pattern, rank_pattern: ranks, alpha_pattern: alphas } = fields
    const base = files.config["base_model_name_or_path"]
    const config: LoraConfig = {
      r: fields.r,
      loraAlpha: fields.lora_alpha,
      loraDropout: fields.lora_dropout ?? 0,
      targetModules: fields.target_modules,
      useRslora: fields.use_rslora ?? false,
      ...(fields.use_dora === true && { useDora: true }),
      ...((fields.init_lora_weights === "olora" || fields.init_lora_weights === "gaussian" || fields.init_lora_weights === "pissa") && { initLoraWeights: fields.init_lora_weights }),
      bias: "none",
      ...(isSet(exclude) && { excludeModules: exclude as string | ReadonlyArray<string> }),
      ...(isSet(layers) && { layersToTransform: layers as number | ReadonlyArray<number> }),
      ...(isSet(pattern) && { layersPattern: pattern as string | ReadonlyArray<string> }),
      ...(isSet(ranks) && { rankPattern: ranks as Readonly<Record<string, number>> }),
      ...(isSet(alphas) && { alphaPattern: alphas as Readonly<Record<string, number>> }),
      ...(typeof base === "string" && { baseModelNameOrPath: base }),
    }
    return config
  })
