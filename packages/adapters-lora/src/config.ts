export interface LoraConfig {
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
  /** Recorded in adapter_config.json as PEFT does. */
  readonly baseModelNameOrPath?: string
}

/** The factor on the LoRA branch, B A x. */
export const loraScale = (config: Pick<LoraConfig, "r" | "loraAlpha" | "useRslora">): number =>
  config.useRslora ? config.loraAlpha / Math.sqrt(config.r) : config.loraAlpha / config.r

/** Module names picked by `targetModules`, in the given order, with PEFT's matching rules. */
export const targetedModules = (names: Iterable<string>, targetModules: LoraConfig["targetModules"]): string[] => {
  const matches =
    typeof targetModules === "string"
      ? (name: string) => new RegExp(`^(?:${targetModules})$`).test(name)
      : (name: string) => targetModules.some((target) => name === target || name.endsWith(`.${target}`))
  return [...names].filter(matches)
}

export const checkLoraConfig = (config: LoraConfig): void => {
  if (!Number.isInteger(config.r) || config.r <= 0) throw new RangeError(`r must be a positive integer, got ${config.r}`)
  if (!(config.loraDropout >= 0 && config.loraDropout < 1)) {
    throw new RangeError(`loraDropout must be in [0, 1), got ${config.loraDropout}`)
  }
  if (config.bias !== "none") throw new RangeError(`bias must be "none", got ${String(config.bias)}`)
}
