// The webgpu kernel behind tiledMatMul, and its gradient, written with tfjs's matMul.
import * as tf from "@tensorflow/tfjs"
import { flatView, wgslKernel } from "../shared/kernel-path.ts"
import { sizeUniformData, tiledMatMulProgram } from "./tiled-matmul-program.ts"

export const tiledMatMulKernelName = "PeftlabTiledMatMul"

/** Inputs a and b (2-D float32); attributes transposeA and transposeB. */
export const tiledMatMulKernel: tf.KernelConfig = wgslKernel(tiledMatMulKernelName, ({ a, b }, attrs) => {
  const [transposeA, transposeB] = [attrs.transposeA === true, attrs.transposeB === true]
  const [rows, inner] = (transposeA ? [...a!.shape].reverse() : a!.shape) as [number, number]
  const cols = b!.shape[transposeB ? 0 : 1] as number
  return { program: tiledMatMulProgram(rows, cols, transposeA, transposeB), inputs: [flatView(a!), flatView(b!)], uniforms: sizeUniformData(rows, cols, inner) }
})

// For C = op(a) op(b): dop(a) = dC op(b)ᵀ and dop(b) = op(a)ᵀ dC, each stored back as its operand is.
export const tiledMatMulGradient: tf.GradConfig = {
  kernelName: tiledMatMulKernelName,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D]
    const dc = dy as tf.Tensor2D
    const [transposeA, transposeB] = [attrs.transposeA === true, attrs.transposeB === true]
    return {
      a: () => (transposeA ? tf.matMul(b, dc, transposeB, true) : tf.matMul(dc, b, false, !transposeB)),
      b: () => (transposeB ? tf.matMul(dc, a, true, transposeA) : tf.matMul(a, dc, !transposeA, false)),
    }
  },
}
