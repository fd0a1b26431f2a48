// Linear modules over tf.Variables, for a trainable copy of a base model (full fine-tuning).
// linear() and conv1d() pass gradients to their input only and multiply by an [in, out] matrix
// made once; these read their variables on every call, so gradients reach the weight and bias
// and an update shows at once. They multiply by an [in, out] matrix as those do (an nn.Linear
// weight's transpose, taken per call), so a fresh copy computes exactly what its base computes.
//
// tfjs-backend-wasm keeps XNNPACK's packed copy of a product's right operand for as long as that
// operand's data lives. Multiplied by the variables themselves, every weight would gain a packed
// copy living until the optimizer assigns it (1.4 GB more for a 345M-parameter model, past wasm's
// 4 GB heap beside its weights and gradients), and the tape would keep each weight's transpose
// until the backward pass. So each product's right operand is made for that call (a transpose,
// or a copy) and freed with its packed copy when the op ends, and the op saves only x.
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "./linear.ts"

/** A right operand for one product: new data, so nothing the backend caches for it outlives the call. */
const operandCopy = (t: tf.Tensor2D): tf.Tensor2D => t.mul<tf.Tensor2D>(1)

/** A product as its own call on the backend, freeing `operand` when done. */
const productWith = (x: tf.Tensor2D, operand: tf.Tensor2D): tf.Tensor2D => {
  const product = tf.matMul<tf.Tensor2D>(x, operand)
  operand.dispose()
  return product
}

/**
 * x [..., in] times the weight: `stored` is nn.Linear's [out, in] (or [in, out] with
 * `storedTransposed`); gradients reach x and the weight.
 */
const weightProduct = (stored: tf.Variable<tf.Rank.R2>, storedTransposed: boolean) =>
  tf.customGrad((x, w, save) => {
    const input = x as tf.Tensor
    const weight = w as tf.Tensor2D
    // Only x is saved: tfjs-backend-wasm's clone of a saved tensor copies its data, and the
    // variable outlives the step anyway, so the backward pass reads it directly.
    ;(save as tf.GradSaveFunc)([input])
    const inFeatures = storedTransposed ? weight.shape[0] : weight.shape[1]
    const rows = input.reshape([-1, inFeatures]) as tf.Tensor2D
    const product = productWith(rows, storedTransposed ? operandCopy(weight) : weight.transpose())
    const outFeatures = product.shape[1]
    return {
      value: product.reshape([...input.shape.slice(0, -1), outFeatures]),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [input] = saved as [tf.Tensor]
          const weight = stored as tf.Tensor2D
          const dyRows = (dy as tf.Tensor).reshape([-1, outFeatures]) as tf.Tensor2D
          // From the saved input: the forward pass's other tensors are gone by now.
          const xRows = input.reshape([-1, inFeatures]) as tf.Tensor2D
          // dx = dy W: W [out, in] as a fresh operand, or the stored [in, out] transposed in the product.
          const dx = storedTransposed ? tf.matMul(dyRows, weight, false, true) : productWith(dyRows, operandCopy(weight))
          // dW in the stored layout: dyᵀ x [out, in], or xᵀ dy [in, out].
          const dw = storedTransposed ? tf.matMul(xRows, dyRows, true, false) : tf.matMul(dyRows, xRows, true, false)
          return [dx.reshape(input.shape), dw]
        }),
    }
  })

const module = (name: string, stored: tf.Variable<tf.Rank.R2>, bias: tf.Tensor1D | undefined, storedTransposed: boolean): Linear => {
  const project = weightProduct(stored, storedTransposed)
  return {
    name,
    shape: storedTransposed ? [stored.shape[1], stored.shape[0]] : stored.shape,
    ...(bias && { bias }),
    ...(storedTransposed && { storedTransposed }),
    readWeight: () => (storedTransposed ? stored.transpose() : tf.clone(stored)),
    apply: (x) =>
      tf.tidy(() => {
        const product = project(x, stored)
        return bias ? product.add(bias) : product
      }),
    dispose: () => {},
  }
}

/** A module over nn.Linear's weight variable [out, in] (and its bias); the variables stay their owner's to free. */
export const trainableLinear = (name: string, weight: tf.Variable<tf.Rank.R2>, bias?: tf.Tensor1D): Linear => module(name, weight, bias, false)

/** A module over a weight variable stored [in, out] (GPT-2's Conv1D). */
export const trainableConv1d = (name: string, stored: tf.Variable<tf.Rank.R2>, bias?: tf.Tensor1D): Linear => module(name, stored, bias, true)
