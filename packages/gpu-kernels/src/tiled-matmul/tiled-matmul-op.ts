import * as tf from "@tensorflow/tfjs"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { tiledMatMulKernelName } from "./tiled-matmul-kernel.ts"

const check = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): void => {
  tf.util.assert(a.dtype === "float32" && b.dtype === "float32", () => `tiledMatMul: expected float32 tensors, got ${a.dtype} and ${b.dtype}`)
  const inner = [a.shape[transposeA ? 0 : 1], b.shape[transposeB ? 1 : 0]]
  tf.util.assert(
    a.rank === 2 && b.rank === 2 && inner[0] === inner[1],
    () => `tiledMatMul: a [${a.shape}]${transposeA ? "ᵀ" : ""} and b [${b.shape}]${transposeB ? "ᵀ" : ""} must be matrices with the same inner size`,
  )
}

/**
 * op(a) op(b) for matrices, op transposing when asked: tiled WGSL on webgpu, tfjs's matMul
 * elsewhere. Its gradient uses tfjs's matMul.
 */
export const tiledMatMul = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D => {
  check(a, b, transposeA, transposeB)
  if (!usesWgslKernel(tiledMatMulKernelName)) return tf.matMul(a, b, transposeA, transposeB)
  return runKernel(tiledMatMulKernelName, { a, b }, { transposeA, transposeB }) as tf.Tensor2D
}
