// SwiGLU's kernel names and its gradient. No WGSL kernel yet: a backend plugin registers kernels
// under these names (the wasm plugin's one-pass C kernels), and elsewhere the op is composed of
// tfjs ops. The gradient runs the backend's gradient kernel where it has one, else composed ops.
import * as tf from "@tensorflow/tfjs"
import { runKernels, usesFusedKernel } from "../shared/kernel-path.ts"

/** Inputs gate and up, of one shape; output silu(gate) · up. */
export const swiGluKernelName = "PeftlabSwiGlu"
/** Inputs dy, gate and up, of one shape; outputs dgate and dup. */
export const swiGluGradKernelName = "PeftlabSwiGluGrad"

/** [dgate, dup] of silu(gate) · up for the upstream gradient dy, composed of tfjs ops. */
export const swiGluGradComposed = (dy: tf.Tensor, gate: tf.Tensor, up: tf.Tensor): [tf.Tensor, tf.Tensor] =>
  tf.tidy(() => {
    const s = tf.sigmoid(gate)
    // silu'(g) = s (1 + g (1 - s))
    const dSilu = s.mul(gate.mul(s.neg().add(1)).add(1))
    return [dy.mul(up).mul(dSilu), dy.mul(gate).mul(s)]
  })

export const swiGluGradient: tf.GradConfig = {
  kernelName: swiGluKernelName,
  inputsToSave: ["gate", "up"],
  gradFunc: (dy, saved) => {
    const [gate, up] = saved as [tf.Tensor, tf.Tensor]
    const [dGate, dUp] = usesFusedKernel(swiGluGradKernelName)
      ? runKernels(swiGluGradKernelName, { dy: dy as tf.Tensor, gate, up }, {})
      : swiGluGradComposed(dy as tf.Tensor, gate, up)
    return { gate: () => dGate!, up: () => dUp! }
  },
}
