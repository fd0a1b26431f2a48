// PEFT's modules_to_save: whole modules trained beside an adapter (a task head such as BERT's
// qa_outputs, or every base weight in full fine-tuning) and saved with it. PEFT trains a copy of
// each (ModulesToSaveWrapper) and get_peft_model_state_dict saves it as
// "base_model.model.<module>.modules_to_save.<adapter>.<tensor>" with "modules_to_save." and
// ".<adapter>" removed: "base_model.model.qa_outputs.weight", the tensor's own HF name behind
// the PeftModel prefix. That is the name used here, so PEFT loads these files as it saves them.
import type * as tf from "@tensorflow/tfjs"
import type { Adapter } from "./adapter.ts"

export interface ModuleToSave {
  /** The HF module name PEFT's modules_to_save lists, e.g. "qa_outputs". */
  readonly name: string
  /** Its variables by full HF tensor name, e.g. "qa_outputs.weight". */
  readonly variables: ReadonlyMap<string, tf.Variable>
}

/** PEFT's adapter_model.safetensors name of a modules_to_save tensor. */
const savedModuleTensorName = (hfName: string): string => `base_model.model.${hfName}`

/** The strings of a config's modules_to_save (PEFT writes null when there are none). */
const listed = (value: unknown): ReadonlyArray<string> => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [])

/**
 * `adapter` with `modules` trained and saved beside it. The modules' variables stay their
 * owner's to free: disposing the result disposes `adapter` only.
 */
export const withModulesToSave = (adapter: Adapter, modules: ReadonlyArray<ModuleToSave>): Adapter => {
  const variables = modules.flatMap((module) => [...module.variables])
  return {
    peftType: adapter.peftType,
    trainable: [...adapter.trainable, ...variables.map(([, variable]) => variable)],
    inject: (model, batch) => adapter.inject(model, batch),
    setTraining: (training) => adapter.setTraining?.(training),
    peftConfig: () => {
      const config = adapter.peftConfig()
      const names = [...new Set([...listed(config["modules_to_save"]), ...modules.map((module) => module.name)])]
      return { ...config, modules_to_save: names }
    },
    peftTensors: () => new Map([...adapter.peftTensors(), ...variables.map(([name, variable]) => [savedModuleTensorName(name), variable] as const)]),
    dispose: () => adapter.dispose(),
  }
}
