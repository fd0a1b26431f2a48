// The LoRA branch added to the base product, y = base + scale · x Aᵀ Bᵀ, as one op with its own
// gradient. Composed from tfjs ops it is some twenty recorded ops per module (reshapes, two
// products, the scale over the [rows, out] update, the add, and each of their gradients), which
// on a small model costs more in per-op dispatch than the products themselves. Here the scale
// goes on B [out, r] and B's gradient, the smallest tensors there are, the backward pass is the
// four products it needs (dy B, then A's and x's gradients from it, and B's from the saved x Aᵀ),
// and the base product's gradient is dy itself.
import * as tf from "@tensorflow/tfjs"

/**
 * base [..., out] + scale · x [..., in] Aᵀ [in, r] Bᵀ [r, out]; differentiable with respect to
 * base, x, a [r, in] and b [out, r].
 */
export const plusLoraUpdate = (base: tf.Tensor, x: tf.Tensor, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): tf.Tensor => {
  const [r, inFeatures] = a.shape
  const outFeatures = b.shape[0]
  if (b.shape[1] !== r) throw new RangeError(`LoRA factors A [${a.shape}] and B [${b.shape}] differ in rank`)
  const op = tf.customGrad((...args) => {
    const [baseIn, xIn, aIn, bIn, save] = args as unknown as [tf.Tensor, tf.Tensor, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    const rows = xIn.reshape([-1, inFeatures]) as tf.Tensor2D
    const down = tf.matMul(rows, aIn, false, true) as tf.Tensor2D // x Aᵀ [rows, r]
    const scaledB = bIn.mul(scale) as tf.Tensor2D
    save([rows, aIn, down, scaledB])
    return {
      value: baseIn.add(tf.matMul(down, scaledB, false, true).reshape(baseIn.shape)),
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) => {
        const [savedRows, savedA, savedDown, savedScaledB] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
        const dyRows = dy.reshape([-1, outFeatures]) as tf.Tensor2D
        const up = tf.matMul(dyRows, savedScaledB) // scale · dy B [rows, r]: the gradient of x Aᵀ
        return [dy, tf.matMul(up, savedA).reshape(xIn.shape), tf.matMul(up, savedRows, true, false), tf.matMul(dyRows, savedDown, true, false).mul(scale)]
      },
    }
  })
  return op(base, x, a, b)
}
