// A linear module over a frozen matrix held on the host (frozen-matrix.ts). Where the backend in
// use has the packed-weight matmul kernel (packed-matmul-op.ts: @peftlab/backend-wasm's, for NF4
// and bf16 matrices), the forward pass and the gradient dx = dy W both run on the packed bytes,
// dequantized inside the kernel. Elsewhere each call widens the weight to float32 in the layout
// its matmul needs, multiplies, and frees it, so the backend holds one layer's weight at a time:
// the forward pass multiplies by Wᵀ [in, out] and the gradient by W [out, in], each without a
// transpose flag, the only form tfjs-backend-wasm runs on XNNPACK. With the kernel the module
// also offers dy W (multiplyByWeight), which the chunked LM loss uses instead of readWeight.
import * as tf from "@tensorflow/tfjs"
import { multiplyRows, type Linear } from "../layers/linear.ts"
import type { FrozenMatrix } from "./frozen-matrix.ts"
import { packedMatMul, usesPackedKernel } from "./packed-matmul-op.ts"
import { widenedTensor, widenedTransposedTensor } from "./widened-tensor.ts"

/**
 * `matrix` is the weight as the checkpoint stores it: [out, in] (nn.Linear), or [in, out] with
 * `storedTransposed` (GPT-2's Conv1D). The module holds nothing of its own on the backend.
 */
export const frozenLinear = (name: string, matrix: FrozenMatrix, bias?: tf.Tensor1D, storedTransposed = false): Linear => {
  const [outFeatures, inFeatures] = storedTransposed ? [matrix.shape[1], matrix.shape[0]] : matrix.shape
  const inByOut = () => (storedTransposed ? widenedTensor(matrix) : widenedTransposedTensor(matrix))
  const outByIn = () => (storedTransposed ? widenedTransposedTensor(matrix) : widenedTensor(matrix))
  // x [rows, in] -> x Wᵀ [rows, out]: the stored [out, in] matrix transposed, or [in, out] as stored.
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    if (usesPackedKernel(matrix)) return packedMatMul(x, matrix.share, !storedTransposed, bias)
    const weight = inByOut()
    const value = multiplyRows(x, weight, bias) as tf.Tensor2D
    weight.dispose()
    return value
  }
  // dy [rows, out] -> dy W [rows, in].
  const backward = (dy: tf.Tensor2D): tf.Tensor2D => {
    if (usesPackedKernel(matrix)) return packedMatMul(dy, matrix.share, storedTransposed)
    const w = outByIn()
    const dx = tf.matMul(dy, w) as tf.Tensor2D
    w.dispose()
    return dx
  }
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    return {
      value: forward(input.reshape([-1, inFeatures])).reshape([...input.shape.slice(0, -1), outFeatures]),
      gradFunc: (dy) => tf.tidy(() => backward(dy.reshape([-1, outFeatures])).reshape(input.shape)),
    }
  })
  return {
    name,
    shape: [outFeatures, inFeatures],
    ...(bias && { bias }),
    ...(storedTransposed && { storedTransposed }),
    readWeight: outByIn,
    apply: (x) => tf.tidy(() => project(x)),
    // dy W straight from the packed bytes, offered only where the kernel takes the matrix when the
    // module is built (the backend in use then): elsewhere it would widen W once per call, where
    // the chunked LM loss widens it once for all its chunks through readWeight. Should the
    // kernel be gone by the time it is called, it widens (the same values, only slower).
    ...(usesPackedKernel(matrix) && { multiplyByWeight: (dy: tf.Tensor2D) => tf.tidy(() => backward(dy)) }),
    dispose: () => {},
  }
}
