// SwiGLU, silu(gate) · up, the gated product of Llama's feed-forward block: one pass where the
// backend has the kernel (the wasm plugin's C kernel), else composed tfjs ops with their own
// gradient, which keep only gate and up for the backward pass (tfjs's tape would also keep the
// sigmoid and both products).
import * as tf from "@tensorflow/tfjs"
import { runKernel, usesFusedKernel } from "../shared/kernel-path.ts"
import { swiGluGradComposed, swiGluKernelName } from "./swiglu-kernel.ts"

const checked = (gate: tf.Tensor, up: tf.Tensor): void => {
  tf.util.assert(gate.dtype === "float32" && up.dtype === "float32", () => `swiGlu: expected float32 tensors, got gate ${gate.dtype} and up ${up.dtype}`)
  tf.util.assertShapesMatch(gate.shape, up.shape, "swiGlu: gate and up must share one shape: ")
}

/** silu(gate) · up composed of tfjs ops, with the composed gradient: the reference and the fallback. */
export const swiGluComposed = tf.customGrad((...args) => {
  const [gate, up, save] = args as unknown as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
  save([gate, up])
  return {
    value: gate.mul(tf.sigmoid(gate)).mul(up),
    gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) => swiGluGradComposed(dy, saved[0]!, saved[1]!),
  }
}) as <T extends tf.Tensor>(gate: T, up: T) => T

/** silu(gate) · up, elementwise. */
export const swiGlu = <T extends tf.Tensor>(gate: T, up: T): T => {
  checked(gate, up)
  return usesFusedKernel(swiGluKernelName) ? (runKernel(swiGluKernelName, { gate, up }, {}) as T) : swiGluComposed(gate, up)
}
