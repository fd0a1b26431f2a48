// The webgpu kernel behind halfMatMul, and its gradient, which is the same kernel on dy.
import * as tf from "@tensorflow/tfjs"
import { flatView, runKernel, wgslKernel } from "../shared/kernel-path.ts"
import { sizeUniformData } from "../tiled-matmul/tiled-matmul-program.ts"
import { halfMatMulProgram } from "./half-matmul-program.ts"

export const halfMatMulKernelName = "PeftlabHalfMatMul"

/**
 * Inputs x [rows, K] (float32) and words (int32) of W [weightRows, weightCols]; attributes
 * weightRows, weightCols, storage ("bf16" or "f16") and transposeWeight: x Wᵀ (K = weightCols)
 * when set, else x W (K = weightRows).
 */
export const halfMatMulKernel: tf.KernelConfig = wgslKernel(halfMatMulKernelName, ({ x, words }, attrs) => {
  const transposeWeight = attrs.transposeWeight === true
  const [weightRows, weightCols] = [attrs.weightRows as number, attrs.weightCols as number]
  const [rows, cols, inner] = [x!.shape[0] as number, transposeWeight ? weightRows : weightCols, transposeWeight ? weightCols : weightRows]
  return {
    program: halfMatMulProgram(rows, cols, attrs.storage === "f16" ? "f16" : "bf16", transposeWeight),
    inputs: [flatView(x!), words!],
    uniforms: sizeUniformData(rows, cols, inner),
  }
})

// d(x op(W)) / dx = dy op(W)ᵀ: the kernel with transposeWeight flipped. W is frozen: its words
// have no gradient.
export const halfMatMulGradient: tf.GradConfig = {
  kernelName: halfMatMulKernelName,
  inputsToSave: ["words"],
  gradFunc: (dy, saved, attrs) => {
    const [words] = saved as [tf.Tensor1D]
    return { x: () => runKernel(halfMatMulKernelName, { x: dy as tf.Tensor2D, words }, { ...attrs, transposeWeight: attrs.transposeWeight !== true }) }
  },
}
