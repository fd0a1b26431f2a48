import * as tf from "@tensorflow/tfjs"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { nf4MatMulKernelName } from "./nf4-matmul-kernel.ts"
import { nf4Dequantize, type Nf4Weight } from "./nf4-weight.ts"

const check = (x: tf.Tensor, { codes, absmax, shape, blockSize }: Nf4Weight): void => {
  const length = shape[0] * shape[1]
  tf.util.assert(x.dtype === "float32" && codes.dtype === "int32" && absmax.dtype === "float32", () => `nf4MatMul: expected float32 x and absmax and int32 codes, got ${x.dtype}, ${absmax.dtype} and ${codes.dtype}`)
  tf.util.assert(
    x.shape.at(-1) === shape[1] && codes.size === Math.ceil(length / 8) && absmax.size === Math.ceil(length / blockSize),
    () => `nf4MatMul: x [${x.shape}] needs W [out, ${x.shape.at(-1)}]; W [${shape}] in blocks of ${blockSize} needs ${Math.ceil(length / 8)} code words and ${Math.ceil(length / blockSize)} scales, got ${codes.size} and ${absmax.size}`,
  )
}

const composed = (x: tf.Tensor, weight: Nf4Weight): tf.Tensor =>
  tf.tidy(() => tf.matMul(x.reshape([-1, weight.shape[1]]) as tf.Tensor2D, nf4Dequantize(weight), false, true).reshape([...x.shape.slice(0, -1), weight.shape[0]]))

/** x Wᵀ with W dequantized on the host, then tfjs's matMul: the fallback (not on webgpu, which reads nothing synchronously). */
export const nf4MatMulComposed = (x: tf.Tensor, weight: Nf4Weight): tf.Tensor => {
  check(x, weight)
  return composed(x, weight)
}

/**
 * x Wᵀ over x [..., in] for an NF4 weight W [out, in] (see nf4WeightTensors): on webgpu, one tiled
 * pass that dequantizes W tile by tile as it goes; elsewhere W dequantized then tfjs's matMul.
 * W is frozen: the gradient is with respect to x only (dy W, by the same kernel on webgpu).
 */
export const nf4MatMul = (x: tf.Tensor, weight: Nf4Weight): tf.Tensor => {
  check(x, weight)
  if (!usesWgslKernel(nf4MatMulKernelName)) return composed(x, weight)
  const { codes, absmax, shape, blockSize } = weight
  const attrs = { outFeatures: shape[0], inFeatures: shape[1], blockSize, transposeWeight: true }
  return tf.tidy(() => runKernel(nf4MatMulKernelName, { x: x.reshape([-1, shape[1]]), codes, absmax }, attrs).reshape([...x.shape.slice(0, -1), shape[0]]))
}
