// IA3 on a model, as PEFT's IA3Model: every targeted linear module gets a trainable vector
// (tensor base_model.model.<module>.ia3_l), feedforward ones on their input. The wrapped modules
// go into the model's `linears` only for the length of each call (Injection.linears).
import * as tf from "@tensorflow/tfjs"
import { peftTaskType, type Adapter } from "@peftlab/adapters-base"
import { targetedModules } from "@peftlab/adapters-lora"
import type { BaseModel, Linear } from "@peftlab/models"
import { ia3Linear, ia3VectorShape } from "./layer.ts"

export interface Ia3Config {
  readonly targetModules: ReadonlyArray<string> | string
  readonly feedforwardModules: ReadonlyArray<string> | string
  readonly baseModelNameOrPath?: string
}

/** The targeted modules of `model`, each with whether it is a feedforward one. */
export const ia3Modules = (model: BaseModel, config: Ia3Config): ReadonlyArray<{ readonly name: string; readonly feedforward: boolean }> => {
  const targeted = targetedModules(model.linears.keys(), config.targetModules)
  const feedforward = new Set(targetedModules(targeted, config.feedforwardModules))
  return targeted.map((name) => ({ name, feedforward: feedforward.has(name) }))
}

/** PEFT's tensor name of a module's vector. */
export const ia3TensorName = (module: string): string => `base_model.model.${module}.ia3_l`

const listOrString = (names: ReadonlyArray<string> | string): ReadonlyArray<string> | string => (typeof names === "string" ? names : [...names])

/** An IA3 adapter on `model`, its vectors at ones (PEFT's init_ia3_weights: true). */
export const createIa3 = (model: BaseModel, config: Ia3Config): Adapter => {
  const vectors = new Map(
    ia3Modules(model, config).map(({ name, feedforward }) => {
      const base = model.linears.get(name) as Linear
      return [name, { base, feedforward, l: tf.variable(tf.ones(ia3VectorShape(base, feedforward)), true) }] as const
    }),
  )
  const wrapped = new Map([...vectors].map(([name, v]) => [name, ia3Linear(v.base, v.l, v.feedforward)]))
  return {
    peftType: "IA3",
    trainable: [...vectors.values()].map((v) => v.l),
    inject: (base) => {
      if (base !== model) throw new Error("this IA3 adapter wraps another model's modules")
      return { linears: wrapped }
    },
    peftConfig: () => ({
      peft_type: "IA3",
      task_type: peftTaskType(model),
      target_modules: listOrString(config.targetModules),
      // Written even when empty: PEFT would otherwise take its own per-architecture default.
      feedforward_modules: listOrString(config.feedforwardModules),
      fan_in_fan_out: model.architecture === "gpt2",
      init_ia3_weights: true,
      modules_to_save: null,
      base_model_name_or_path: config.baseModelNameOrPath ?? null,
      inference_mode: true,
    }),
    peftTensors: () => new Map([...vectors].map(([name, v]) => [ia3TensorName(name), v.l as tf.Tensor])),
    dispose: () => vectors.forEach((v) => v.l.dispose()),
  }
}
