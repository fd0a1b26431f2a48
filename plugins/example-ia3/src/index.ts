// The plugin: a spec that lists this module under `plugins` gets the arm kind `ia3`, IA3 as
// Hugging Face PEFT implements it (trained, saved and loaded in PEFT's adapter files).
import { targetedModules } from "@peftlab/adapters-lora"
import { defineMethod, type MethodRegistry, type OptionIssue } from "@peftlab/plugin-api"
import { Ia3Options } from "./config.ts"
import { loadIa3 } from "./load.ts"
import { createIa3, ia3Modules, type Ia3Config } from "./model.ts"

export { Ia3Options } from "./config.ts"
export { loadIa3 } from "./load.ts"
export { createIa3, ia3TensorName, type Ia3Config } from "./model.ts"

const render = (names: ReadonlyArray<string> | string): string => (typeof names === "string" ? JSON.stringify(names) : `[${names.join(", ")}]`)

const configOf = (options: Ia3Options, modelPath?: string): Ia3Config => ({
  targetModules: options.target_modules,
  feedforwardModules: options.feedforward_modules,
  ...(modelPath !== undefined && { baseModelNameOrPath: modelPath }),
})

export const ia3 = defineMethod<Ia3Options>({
  name: "ia3",
  peftType: "IA3",
  options: Ia3Options,
  check: (model, options): Array<OptionIssue> => {
    const modules = ia3Modules(model, configOf(options))
    const kinds = [...new Set([...model.linears.keys()].map((name) => name.split(".").at(-1) ?? name))].join(", ")
    const gpt2 = model.architecture === "gpt2"
    const targeted = modules.map((m) => m.name)
    const feedforward = targetedModules(model.linears.keys(), options.feedforward_modules)
    return [
      ...(modules.length === 0
        ? [{ field: "target_modules", expected: "module names or a regex matching this model's linear modules", message: `${render(options.target_modules)} matches no linear module of this ${model.architecture} model (its modules: ${kinds})` }]
        : []),
      ...(feedforward.some((name) => !targeted.includes(name))
        ? [{ field: "feedforward_modules", expected: "modules among target_modules (as PEFT requires)", message: `${render(options.feedforward_modules)} names modules that target_modules does not` }]
        : []),
      ...(options.fan_in_fan_out !== gpt2
        ? [{ field: "fan_in_fan_out", expected: `${gpt2} for this ${model.architecture} model`, message: `this ${model.architecture} model's linear modules are ${gpt2 ? "Conv1D" : "nn.Linear"}` }]
        : []),
    ]
  },
  create: (model, options, { modelPath }) => createIa3(model, configOf(options, modelPath)),
  load: loadIa3,
  describe: (options) =>
    `IA3 on ${render(options.target_modules)}` + (options.feedforward_modules.length > 0 ? `, input-scaled ${render(options.feedforward_modules)}` : ""),
})

export const register = (registry: MethodRegistry): void => registry.add("methods", ia3)
