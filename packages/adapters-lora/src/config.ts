import { Schema } from "effect"
import { expecting, initFrom, literals, NonEmptyText, PositiveInt, withDefault, type OptionIssue } from "@peftlab/plugin-api"
import { loraInits, pissaNiterPattern, type LoraInit } from "./layer/init.ts"
import { isTargeted, patternValue, type TargetSelection } from "./peft-matching.ts"

export interface LoraConfig extends TargetSelection {
  readonly r: number
  readonly loraAlpha: number
  /** Probability of zeroing an input feature of the LoRA branch, in training mode only. */
  readonly loraDropout: number
  /**
   * A list matches a module whose name is in it or ends with "." + an entry ("q_proj");
   * a string is a regex the full module name must match entirely (PEFT's re.fullmatch),
   * e.g. ".*\\.(q_proj|v_proj)".
   */
  readonly targetModules: ReadonlyArray<string> | string
  /** Rank-stabilised LoRA: scale by alpha / sqrt(r) instead of alpha / r. */
  readonly useRslora: boolean
  /** Only "none" is supported: the base modules have no biases to train. */
  readonly bias: "none"
  /** Per-module ranks by PEFT's rank_pattern (regex keys, see patternKey); others use r. */
  readonly rankPattern?: Readonly<Record<string, number>>
  /** Per-module alphas by PEFT's alpha_pattern; others use loraAlpha. */
  readonly alphaPattern?: Readonly<Record<string, number>>
  /** DoRA (PEFT's use_dora): a trainable magnitude per output row over the normalised W + scale B A. */
  readonly useDora?: boolean
  /**
   * PEFT's init_lora_weights: true (default), "gaussian", or an init that changes the frozen weight
   * a module holds: "olora", "pissa", "pissa_niter_N", "loftq" (the last three saved converted to a
   * plain LoRA of rank 2r, see lora-linear.ts).
   */
  readonly initLoraWeights?: LoraInit
  /** LoftQ's alternating steps (PEFT's loftq_config.loftq_iter; loftq_bits is 4, NF4); with "loftq" only. */
  readonly loftqIterations?: number
  /**
   * LoRA+ (PEFT's create_loraplus_optimizer): B and DoRA's magnitude train at lr times this ratio,
   * A at lr. A training option: not in adapter_config.json.
   */
  readonly loraplusLrRatio?: number
  /** Recorded in adapter_config.json as PEFT does. */
  readonly baseModelNameOrPath?: string
}

/** PEFT's names of a wrapped module's tensors in adapter_model.safetensors (the magnitude with DoRA only). */
export const loraTensorNames = (module: string) => ({
  a: `base_model.model.${module}.lora_A.weight`,
  b: `base_model.model.${module}.lora_B.weight`,
  magnitude: `base_model.model.${module}.lora_magnitude_vector`,
})

/** The factor on the LoRA branch, B A x. */
export const loraScale = (config: Pick<LoraConfig, "r" | "loraAlpha" | "useRslora">): number =>
  config.useRslora ? config.loraAlpha / Math.sqrt(config.r) : config.loraAlpha / config.r

/** Module names picked by `targetModules` (or a whole selection), in the given order, with PEFT's matching rules. */
export const targetedModules = (names: Iterable<string>, selection: LoraConfig["targetModules"] | TargetSelection): string[] => {
  const full: TargetSelection = typeof selection === "string" || Array.isArray(selection) ? { targetModules: selection as LoraConfig["targetModules"] } : (selection as TargetSelection)
  return [...names].filter((name) => isTargeted(name, full))
}

/** The rank and the factor on the LoRA branch of module `name`, after rank_pattern and alpha_pattern. */
export const moduleRankAndScale = (config: LoraConfig, name: string): { readonly r: number; readonly scale: number } => {
  const r = patternValue(config.rankPattern, name, config.r)
  return { r, scale: loraScale({ r, loraAlpha: patternValue(config.alphaPattern, name, config.loraAlpha), useRslora: config.useRslora }) }
}

export const checkLoraConfig = (config: LoraConfig): void => {
  if (!Number.isInteger(config.r) || config.r <= 0) throw new RangeError(`r must be a positive integer, got ${config.r}`)
  if (!(config.loraDropout >= 0 && config.loraDropout < 1)) {
    throw new RangeError(`loraDropout must be in [0, 1), got ${config.loraDropout}`)
  }
  if (config.bias !== "none") throw new RangeError(`bias must be "none", got ${String(config.bias)}`)
  if (config.loraplusLrRatio !== undefined && !(config.loraplusLrRatio > 0)) throw new RangeError(`loraplusLrRatio must be positive, got ${config.loraplusLrRatio}`)
  if (config.loftqIterations !== undefined && (config.initLoraWeights !== "loftq" || !Number.isInteger(config.loftqIterations) || config.loftqIterations < 1)) {
    throw new RangeError(`loftqIterations must be a positive integer, with initLoraWeights "loftq", got ${config.loftqIterations}`)
  }
  for (const [key, r] of Object.entries(config.rankPattern ?? {})) {
    if (!Number.isInteger(r) || r <= 0) throw new RangeError(`rankPattern["${key}"] must be a positive integer, got ${r}`)
  }
}

/** How a lora arm holds its frozen base: as loaded, quantized to 4-bit NormalFloat (QLoRA), or to 8-bit LLM.int8() as bitsandbytes' Linear8bitLt. */
export const quantizations = ["none", "nf4", "int8"] as const

// A lora arm's options as a spec writes them (PEFT's LoraConfig names, plus quantize and init_from).
export const LoraOptions = Schema.Struct({
  ...initFrom,
  r: PositiveInt.pipe(expecting("a positive integer")),
  lora_alpha: Schema.Finite.check(Schema.isGreaterThan(0)).pipe(expecting("a positive number")),
  lora_dropout: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
    .pipe(withDefault(0), expecting("a probability between 0 and 1")),
  // A list of module names (q_proj) or one regex over full module names, as in PEFT.
  target_modules: Schema.Union([Schema.Array(NonEmptyText).check(Schema.isMinLength(1)), NonEmptyText]).pipe(
    expecting("a non-empty list of module names, or a regex string"),
  ),
  use_rslora: Schema.Boolean.pipe(withDefault(false), expecting("true or false")),
  // The variants below are optional, with no default written into the options, so an arm without them
  // decodes (and manifest.json echoes it) as before. DoRA: weight-decomposed LoRA (PEFT's use_dora, default false).
  use_dora: Schema.optional(Schema.Boolean.pipe(expecting("true or false"))),
  // PEFT's init_lora_weights: true (the default: kaiming-uniform A, zero B), "gaussian" (A ~ N(0, 1/r^2)), "olora",
  // "pissa", "pissa_niter_N" (N subspace iterations), "loftq" (with quantize: nf4 and loftq_config).
  init_lora_weights: Schema.optional(
    Schema.Union([Schema.Literals(loraInits), Schema.String.check(Schema.isPattern(pissaNiterPattern))]).pipe(
      expecting('true, "gaussian", "olora", "pissa", "pissa_niter_N" (N a whole number) or "loftq"'),
    ),
  ),
  // LoftQ's settings as PEFT's LoftQConfig: 4 bits (NF4) and the number of alternating steps.
  loftq_config: Schema.optional(
    Schema.Struct({
      loftq_bits: Schema.Literal(4).pipe(expecting("4 (NF4; 8-bit LoftQ is not implemented)")),
      loftq_iter: PositiveInt.pipe(withDefault(1), expecting("a positive integer")),
    }).pipe(expecting("{ loftq_bits: 4, loftq_iter: N }")),
  ),
  // LoRA+: B (and DoRA's magnitude) train at the arm's lr times this ratio (PEFT's create_loraplus_optimizer).
  loraplus_lr_ratio: Schema.optional(Schema.Finite.check(Schema.isGreaterThan(0)).pipe(expecting("a positive number"))),
  // nf4: quantize the frozen base's linear weights to 4-bit NormalFloat first (QLoRA); int8: to bitsandbytes' 8-bit LLM.int8().
  quantize: literals(quantizations).pipe(withDefault("none")),
})

export type LoraOptions = typeof LoraOptions.Type

/** The init options that only make sense together: LoftQ is an init for an NF4 base and needs its loftq_config, which nothing else reads. */
export const initOptionIssues = (options: LoraOptions): Array<OptionIssue> => {
  const loftq = options.init_lora_weights === "loftq"
  if (loftq && options.quantize !== "nf4") {
    return [{ field: "init_lora_weights", expected: '"loftq" with quantize: nf4', message: () => `init_lora_weights "loftq" initialises LoRA for an NF4 base, and this arm has quantize: ${options.quantize}` }]
  }
  if (loftq && options.loftq_config === undefined) {
    return [{ field: "loftq_config", expected: "{ loftq_bits: 4, loftq_iter: N }", message: () => 'init_lora_weights "loftq" needs loftq_config (as PEFT requires)' }]
  }
  if (!loftq && options.loftq_config !== undefined) {
    return [{ field: "loftq_config", expected: 'nothing unless init_lora_weights is "loftq"', message: () => `loftq_config is read only with init_lora_weights "loftq", and this arm's is ${String(options.init_lora_weights ?? true)}` }]
  }
  if (options.use_dora && (loftq || options.init_lora_weights?.toString().startsWith("pissa"))) {
    return [{ field: "use_dora", expected: "false with PiSSA or LoftQ", message: () => `use_dora with init_lora_weights "${options.init_lora_weights}" is not implemented` }]
  }
  return []
}
