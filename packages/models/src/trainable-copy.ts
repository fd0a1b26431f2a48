// A trainable copy of a base model, for full fine-tuning: the same architecture rebuilt (through
// its entry in architectures.ts) from tf.Variable copies of every parameter, with linear modules
// that gradients reach (see trainable-linear.ts). The original model is left as it is.
import * as tf from "@tensorflow/tfjs"
import { architectureFor } from "./architectures.ts"
import type { Linear } from "./layers/linear.ts"
import { trainableConv1d, trainableLinear } from "./layers/trainable-linear.ts"
import { isFrozenMatrix } from "./frozen/frozen-matrix.ts"
import { widenedTensor } from "./frozen/widened-tensor.ts"
import type { BaseModel } from "./model.ts"
import type { Parameter } from "./parameters.ts"

export interface TrainableCopy<M extends BaseModel = BaseModel> {
  /** A model of the same kind and architecture; it computes what the original does until its variables change. */
  readonly model: M
  /** Every parameter of the copy by HF name (the same map as model.parameters). */
  readonly variables: ReadonlyMap<string, tf.Variable>
  /** Frees the copy: its variables and modules. */
  dispose(): void
}

/**
 * A module over the copy's variables in place of `module`, which the copy built over the same
 * variables but frozen. A tied LM head has no weight of its own: it is the token embedding.
 */
const trainableModule = (module: Linear, variables: ReadonlyMap<string, tf.Variable>, tokenEmbeddingName: string): Linear => {
  const weight = variables.get(`${module.name}.weight`) ?? (module.name === "lm_head" ? variables.get(tokenEmbeddingName) : undefined)
  if (weight === undefined) throw new Error(`linear module "${module.name}" has no weight variable`)
  const make = module.storedTransposed ? trainableConv1d : trainableLinear
  return make(module.name, weight as tf.Variable<tf.Rank.R2>, module.bias)
}

/** A float32 copy of a parameter, as a tensor (a host-held matrix widened). */
const asTensor = (parameter: Parameter): tf.Tensor => (isFrozenMatrix(parameter) ? widenedTensor(parameter) : parameter)

export const trainableCopy = <M extends BaseModel>(model: M): TrainableCopy<M> => {
  const architecture = architectureFor(model.architecture)
  if (architecture === undefined) throw new Error(`no architecture is registered for model_type "${model.architecture}"`)
  // A new variable shares its source's data until an assign gives it its own (tfjs never writes
  // tensor data in place), so the copy costs no memory before training and the original never changes.
  const variables = new Map([...model.parameters].map(([name, t]) => {
    const tensor = asTensor(t)
    const variable = tf.variable(tensor)
    if (tensor !== t) tensor.dispose()
    return [name, variable]
  }))
  const copy = architecture.build(model.config, variables) as M
  // The copy trains as the original would: with its layers recomputed if the original's are.
  if (copy.gradientCheckpointing && model.gradientCheckpointing) copy.gradientCheckpointing.enabled = model.gradientCheckpointing.enabled
  const modules = [...copy.linears.values()].map((module) => trainableModule(module, variables, architecture.tokenEmbeddingName))
  for (const module of modules) copy.linears.set(module.name, module)
  return {
    model: copy,
    variables,
    dispose: () => {
      for (const module of modules) module.dispose()
      copy.dispose()
    },
  }
}
