// Linear modules over tf.Variables, for a trainable copy of a base model (full fine-tuning).
// linear() and conv1d() pass gradients to their input only and multiply by an [in, out] matrix
// made once; these read their variables on every call, so gradients reach the weight and bias
// and an update shows at once. They multiply by an [in, out] matrix as those do (an nn.Linear
// weight's transpose, taken per call), so a fresh copy computes exactly what its base computes.
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "./linear.ts"

/** x [..., in] -> x inByOut (+ bias), [..., out]. */
const affine = (x: tf.Tensor, inByOut: tf.Tensor2D, bias: tf.Tensor1D | undefined): tf.Tensor => {
  const [inFeatures, outFeatures] = inByOut.shape
  const product = tf.matMul(x.reshape([-1, inFeatures]) as tf.Tensor2D, inByOut)
  return (bias ? product.add(bias) : product).reshape([...x.shape.slice(0, -1), outFeatures])
}

/** A module over nn.Linear's weight variable [out, in] (and its bias); the variables stay their owner's to free. */
export const trainableLinear = (name: string, weight: tf.Variable<tf.Rank.R2>, bias?: tf.Tensor1D): Linear => ({
  name,
  weight,
  ...(bias && { bias }),
  apply: (x) => tf.tidy(() => affine(x, weight.transpose(), bias)),
  dispose: () => {},
})

/**
 * A module over a weight variable stored [in, out] (GPT-2's Conv1D). `weight` is its [out, in]
 * transpose, made again on the first read after each update (an assign gives a variable new data).
 */
export const trainableConv1d = (name: string, stored: tf.Variable<tf.Rank.R2>, bias?: tf.Tensor1D): Linear => {
  let transposed: { readonly of: object; readonly weight: tf.Tensor2D } | undefined
  return {
    name,
    get weight() {
      if (transposed?.of !== stored.dataId) {
        transposed?.weight.dispose()
        transposed = { of: stored.dataId, weight: tf.keep(stored.transpose()) }
      }
      return transposed.weight
    },
    ...(bias && { bias }),
    apply: (x) => tf.tidy(() => affine(x, stored, bias)),
    dispose: () => transposed?.weight.dispose(),
  }
}
