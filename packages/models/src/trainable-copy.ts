// A trainable copy of a base model, for full fine-tuning: the same architecture rebuilt (through
// its entry in architectures.ts) from tf.Variable copies of every parameter, whose linear modules
// (layers/projection.ts builds them over variables from trainable-linear.ts) gradients reach. A
// tied LM head is the token embedding's variable. The original model is left as it is.
import * as tf from "@tensorflow/tfjs"
import { architectureFor } from "./architectures.ts"
import { isDeviceMatrix } from "./device/device-matrix.ts"
import { checkFloat32Copy, matrixValues } from "./device/device-values.ts"
import { isFrozenMatrix } from "./frozen/frozen-matrix.ts"
import { widenedTensor } from "./frozen/widened-tensor.ts"
import type { BaseModel } from "./base-model.ts"
import type { Parameter } from "./parameters.ts"

export interface TrainableCopy<M extends BaseModel = BaseModel> {
  /** A model of the same kind and architecture; it computes what the original does until its variables change. */
  readonly model: M
  /** Every parameter of the copy by HF name (the same map as model.parameters). */
  readonly variables: ReadonlyMap<string, tf.Variable>
  /** Frees the copy: its variables and modules. */
  dispose(): void
}

const fullFineTuning = "full fine-tuning (a trainable float32 copy of every weight)"

/** A float32 copy of a parameter, as a tensor (a host-held matrix widened, a device-held one decoded). */
const asTensor = (name: string, parameter: Parameter): tf.Tensor => {
  if (isFrozenMatrix(parameter)) return widenedTensor(parameter)
  return isDeviceMatrix(parameter) ? matrixValues(parameter, name, fullFineTuning) : parameter
}

export const trainableCopy = <M extends BaseModel>(model: M): TrainableCopy<M> => {
  const architecture = architectureFor(model.architecture)
  if (architecture === undefined) throw new Error(`no architecture is registered for model_type "${model.architecture}"`)
  // A new variable shares its source's data until an assign gives it its own (tfjs never writes
  // tensor data in place), so the copy costs no memory before training and the original never changes.
  // A device matrix whose float32 copy exceeds one binding is refused (BindingLimitError) before any variable is made.
  for (const [name, t] of model.parameters) if (isDeviceMatrix(t)) checkFloat32Copy(name, t, fullFineTuning)
  const variables = new Map([...model.parameters].map(([name, t]) => {
    const tensor = asTensor(name, t)
    const variable = tf.variable(tensor)
    if (tensor !== t) tensor.dispose()
    return [name, variable]
  }))
  const copy = architecture.build(model.config, variables) as M
  // The copy trains as the original would: with its layers recomputed if the original's are.
  if (copy.gradientCheckpointing && model.gradientCheckpointing) copy.gradientCheckpointing.enabled = model.gradientCheckpointing.enabled
  return {
    model: copy,
    variables,
    dispose: () => copy.dispose(),
  }
}
