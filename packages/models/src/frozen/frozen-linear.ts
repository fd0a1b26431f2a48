// A linear module over a frozen matrix held on the host (frozen-matrix.ts): each call widens the
// weight to float32 in the layout its matmul needs, multiplies, and frees it, so the backend
// holds one layer's weight at a time. The forward pass multiplies by Wᵀ [in, out] and the
// gradient dx = dy W by W [out, in], each without a transpose flag, the only form
// tfjs-backend-wasm runs on XNNPACK.
import * as tf from "@tensorflow/tfjs"
import { multiplyRows, type Linear } from "../layers/linear.ts"
import type { FrozenMatrix } from "./frozen-matrix.ts"
import { widenedTensor, widenedTransposedTensor } from "./widened-tensor.ts"

/**
 * `matrix` is the weight as the checkpoint stores it: [out, in] (nn.Linear), or [in, out] with
 * `storedTransposed` (GPT-2's Conv1D). The module holds nothing of its own on the backend.
 */
export const frozenLinear = (name: string, matrix: FrozenMatrix, bias?: tf.Tensor1D, storedTransposed = false): Linear => {
  const [outFeatures, inFeatures] = storedTransposed ? [matrix.shape[1], matrix.shape[0]] : matrix.shape
  const inByOut = () => (storedTransposed ? widenedTensor(matrix) : widenedTransposedTensor(matrix))
  const outByIn = () => (storedTransposed ? widenedTransposedTensor(matrix) : widenedTensor(matrix))
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    const weight = inByOut()
    const value = multiplyRows(input, weight, bias)
    weight.dispose()
    return {
      value,
      gradFunc: (dy) =>
        tf.tidy(() => {
          const w = outByIn()
          const dx = tf.matMul(dy.reshape([-1, outFeatures]) as tf.Tensor2D, w).reshape(input.shape)
          w.dispose()
          return dx
        }),
    }
  })
  return {
    name,
    shape: [outFeatures, inFeatures],
    ...(bias && { bias }),
    ...(storedTransposed && { storedTransposed }),
    readWeight: outByIn,
    apply: (x) => tf.tidy(() => project(x)),
    dispose: () => {},
  }
}
