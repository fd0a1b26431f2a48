// One IA3-scaled linear module, as PEFT's ia3.Linear: a learned vector l scales the module's
// output (y = (x Wᵀ + b) * l, l [out, 1]) or, for a feedforward module, its input
// (y = (x * l) Wᵀ + b, l [1, in]). l starts at ones, so the module starts out as the base.
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "@peftlab/models"

/** The vector's shape as PEFT stores ia3_l: [out, 1], or [1, in] for a feedforward module. */
export const ia3VectorShape = (base: Linear, feedforward: boolean): [number, number] => (feedforward ? [1, base.shape[1]] : [base.shape[0], 1])

/** `base` with its output (or, feedforward, its input) scaled by `l`; l is the caller's. */
export const ia3Linear = (base: Linear, l: tf.Variable, feedforward: boolean): Linear => {
  const [outFeatures, inFeatures] = base.shape
  return {
    name: base.name,
    shape: base.shape,
    ...(base.storedTransposed && { storedTransposed: true }),
    // diag(l) W or W diag(l): what apply computes, for callers that multiply by the weight themselves.
    readWeight: () => tf.tidy(() => base.readWeight().mul(l) as tf.Tensor2D),
    get bias() {
      return base.bias === undefined || feedforward ? base.bias : (base.bias.mul(l.reshape([outFeatures])) as tf.Tensor1D)
    },
    apply: (x) =>
      tf.tidy(() => (feedforward ? base.apply(x.mul(l.reshape([inFeatures]))) : base.apply(x).mul(l.reshape([outFeatures])))),
    dispose: () => {},
  }
}
