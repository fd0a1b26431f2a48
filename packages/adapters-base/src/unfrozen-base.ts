// Full fine-tuning, and any adapter over an unfrozen base ("soft prompt, model unfrozen"): the
// adapter runs over a trainable copy of the base, whose weights all train and are saved as
// PEFT's modules_to_save, one module per top-level module of the HF *ForX model ("model" and
// "lm_head" for Llama, "transformer" for GPT-2, "bert" for BERT, "shared", "encoder", "decoder"
// and "lm_head" for T5), which PEFT matches by name. The caller's model is never changed.
import type * as tf from "@tensorflow/tfjs"
import { trainableCopy, type BaseModel } from "@peftlab/models"
import type { Adapter } from "./adapter.ts"
import { withModulesToSave, type ModuleToSave } from "./modules-to-save.ts"

/** The parameters grouped by their top-level module (the first part of the HF name), in order. */
const topLevelModules = (variables: ReadonlyMap<string, tf.Variable>): Array<ModuleToSave> => {
  const modules = new Map<string, Map<string, tf.Variable>>()
  for (const [name, variable] of variables) {
    const top = name.split(".")[0] as string
    modules.set(top, (modules.get(top) ?? new Map()).set(name, variable))
  }
  return [...modules].map(([name, members]) => ({ name, variables: members }))
}

/** `adapter` (frozenBase() for plain fine-tuning) applied to a trainable copy of `model`, every weight of which trains too. */
export const unfreezeBase = (adapter: Adapter, model: BaseModel): Adapter => {
  const copy = trainableCopy(model)
  const overCopy: Adapter = {
    ...adapter,
    inject: (caller, batch) => {
      if (caller !== model) throw new Error("this unfrozen base is a copy of another model")
      return { ...adapter.inject(copy.model, batch), base: copy.model }
    },
    dispose: () => {
      adapter.dispose()
      copy.dispose()
    },
  }
  return withModulesToSave(overCopy, topLevelModules(copy.variables))
}
