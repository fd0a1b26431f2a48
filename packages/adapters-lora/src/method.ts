// LoRA as the built-in method of `kind: lora` arms (the runner registers it like a method
// plugin), QLoRA included (quantize: nf4 asks the run for an NF4 base, int8 for an 8-bit one): its options, their check
// against the model's modules (the matching is creation's own, targetedModules), the adapter it
// makes, PEFT's LORA files loaded back, what an init_from must agree with, and its dry-run line.
import { defineMethod, type OptionIssue, type OptionsIssue } from "@peftlab/plugin-api"
import { initOptionIssues, LoraOptions, targetedModules } from "./config.ts"
import { loadLora } from "./load.ts"
import { createLora, type LoraAdapter } from "./lora.ts"
import type { LoraInit } from "./layer/init.ts"

/** A list as the spec reads in YAML (`[q, v]`); a regex as its JSON string. */
const renderTargets = (targets: ReadonlyArray<string> | string): string => (typeof targets === "string" ? JSON.stringify(targets) : `[${targets.join(", ")}]`)

/** A list of module names compares as a set; a regex as its text. */
const sameTargets = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) : a === b

/** OLoRA and PiSSA factorise the float weight, which PEFT re-quantizes over a quantized base and peftlab does not (LoftQ's own rule is initOptionIssues'). */
const factorisesWeight = (init: LoraOptions["init_lora_weights"]): boolean => init === "olora" || (typeof init === "string" && init.startsWith("pissa"))

const quantizedInitIssues = (options: LoraOptions): Array<OptionsIssue> =>
  options.quantize !== "none" && factorisesWeight(options.init_lora_weights)
    ? [{ field: "init_lora_weights", expected: `true or "gaussian" over a ${options.quantize} base (${JSON.stringify(options.init_lora_weights)} needs the float weight; use quantize: none)` }]
    : []

/** What describe adds for each quantize. */
const baseNotes: Readonly<Record<LoraOptions["quantize"], string>> = { none: "", nf4: ", NF4 base (QLoRA)", int8: ", int8 base (LLM.int8())" }

export const loraMethod = defineMethod<LoraOptions, LoraAdapter>({
  name: "lora",
  peftType: "LORA",
  options: LoraOptions,
  checkOptions: quantizedInitIssues,
  check: (model, options, { arm }): Array<OptionIssue> => {
    const initIssues = initOptionIssues(options)
    if (initIssues.length > 0) return initIssues
    let matched: ReadonlyArray<string>
    try {
      matched = targetedModules(model.linears.keys(), options.target_modules)
    } catch (error) {
      // A string is a regex over full module names; JavaScript refuses some that are not one.
      const reason = error instanceof Error ? error.message : String(error)
      return [{ field: "target_modules", expected: "a valid regex over module names", message: (found) => `${found} is not a valid regex (${reason})` }]
    }
    if (matched.length > 0) return []
    // The model's linear modules by their last name segment (q_proj, k_proj, ...), in model order.
    const kinds = [...new Set([...model.linears.keys()].map((name) => name.split(".").at(-1) ?? name))].join(", ")
    const message = `${renderTargets(options.target_modules)} matches no linear module of this ${model.architecture} model (its modules: ${kinds}), so arm ${arm} would train nothing`
    return [{ field: "target_modules", expected: "module names or a regex matching this model's linear modules", message }]
  },
  create: (model, options, { rng, modelPath }) =>
    createLora(
      model,
      {
        r: options.r,
        loraAlpha: options.lora_alpha,
        loraDropout: options.lora_dropout,
        targetModules: options.target_modules,
        useRslora: options.use_rslora,
        bias: "none",
        ...(options.use_dora && { useDora: true }),
        ...(options.init_lora_weights !== undefined && options.init_lora_weights !== true && { initLoraWeights: options.init_lora_weights as LoraInit }),
        ...(options.loftq_config && { loftqIterations: options.loftq_config.loftq_iter }),
        ...(options.loraplus_lr_ratio !== undefined && { loraplusLrRatio: options.loraplus_lr_ratio }),
        baseModelNameOrPath: modelPath,
      },
      rng,
    ),
  load: loadLora,
  describe: (options) => {
    const targets = typeof options.target_modules === "string" ? options.target_modules : options.target_modules.join(", ")
    const variant = [options.use_rslora && "rsLoRA scaling", options.use_dora && "DoRA", options.init_lora_weights !== undefined && options.init_lora_weights !== true && `init ${options.init_lora_weights}`, options.loraplus_lr_ratio !== undefined && `LoRA+ ratio ${options.loraplus_lr_ratio}`]
      .filter(Boolean)
      .map((part) => `, ${part}`)
      .join("")
    return `LoRA r=${options.r} alpha=${options.lora_alpha} dropout=${options.lora_dropout} on ${targets}${variant}${baseNotes[options.quantize]}`
  },
  // LoftQ quantizes its targeted modules itself from their float weights (as PEFT's loftq_init), so its run keeps a float base.
  quantizedBase: (options) => (options.quantize === "none" || options.init_lora_weights === "loftq" ? undefined : options.quantize),
  // PiSSA and LoftQ save (after training) the plain LoRA of rank 2r that PEFT's path_initial_model_for_weight_conversion writes.
  afterTraining: (adapter) => adapter.convertToPlainLora(),
  initFrom: {
    agreeing: (options) => [
      { field: "r", value: options.r },
      { field: "lora_alpha", value: options.lora_alpha },
      { field: "target_modules", value: options.target_modules, same: sameTargets },
      { field: "use_rslora", value: options.use_rslora, fallback: false },
      { field: "use_dora", value: options.use_dora ?? false, fallback: false },
    ],
    // LoraConfig fields a lora arm cannot set: an adapter using them is not the one the arm builds.
    unsettable: ["rank_pattern", "alpha_pattern", "exclude_modules", "layers_to_transform", "layers_pattern"],
  },
})
