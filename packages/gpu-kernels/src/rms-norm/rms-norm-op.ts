import * as tf from "@tensorflow/tfjs"
import { runKernel, usesFusedKernel } from "../shared/kernel-path.ts"
import { rmsNormKernelName } from "./rms-norm-kernel.ts"

/** x's last axis, once the tensors are checked. */
const checkedCols = (x: tf.Tensor, weight: tf.Tensor1D): number => {
  const cols = x.shape.at(-1) ?? 0
  tf.util.assert(x.dtype === "float32" && weight.dtype === "float32", () => `rmsNorm: expected float32 tensors, got x ${x.dtype} and weight ${weight.dtype}`)
  tf.util.assert(cols > 0 && weight.rank === 1 && weight.shape[0] === cols, () => `rmsNorm: weight [${weight.shape}] must be [${cols}], x's last axis (x is [${x.shape}])`)
  return cols
}

const composed = <T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T =>
  tf.tidy(() => x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(weight))

/** RMSNorm composed of tfjs ops, as Llama and T5 compute it: the reference and the fallback. */
export const rmsNormComposed = <T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T => {
  checkedCols(x, weight)
  return composed(x, weight, eps)
}

/** x / sqrt(mean(x²) + eps) * weight over x's last axis: one pass where the backend has the kernel (WGSL on webgpu, C on wasm), composed ops elsewhere. */
export const rmsNorm = <T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T => {
  const cols = checkedCols(x, weight)
  if (!usesFusedKernel(rmsNormKernelName)) return composed(x, weight, eps)
  return tf.tidy(() => runKernel(rmsNormKernelName, { x: x.reshape([-1, cols]), weight }, { eps }).reshape(x.shape) as T)
}
