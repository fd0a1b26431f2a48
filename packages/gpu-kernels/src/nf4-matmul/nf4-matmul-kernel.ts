// The webgpu kernel behind nf4MatMul, and its gradient, which is the same kernel on dy.
import * as tf from "@tensorflow/tfjs"
import { flatView, runKernel, wgslKernel } from "../shared/kernel-path.ts"
import { sizeUniformData } from "../tiled-matmul/tiled-matmul-program.ts"
import { nf4MatMulProgram } from "./nf4-matmul-program.ts"

export const nf4MatMulKernelName = "PeftlabNf4MatMul"

/**
 * Inputs x [rows, K] (float32), codes (int32 words) and absmax (float32) of W [outFeatures,
 * inFeatures]; attributes outFeatures, inFeatures, blockSize and transposeWeight: x Wᵀ (K = in)
 * when set, else x W (K = out).
 */
export const nf4MatMulKernel: tf.KernelConfig = wgslKernel(nf4MatMulKernelName, ({ x, codes, absmax }, attrs) => {
  const transposeWeight = attrs.transposeWeight === true
  const [out, inFeatures] = [attrs.outFeatures as number, attrs.inFeatures as number]
  const [rows, cols, inner] = [x!.shape[0] as number, transposeWeight ? out : inFeatures, transposeWeight ? inFeatures : out]
  return {
    program: nf4MatMulProgram(rows, cols, transposeWeight),
    inputs: [flatView(x!), codes!, absmax!],
    uniforms: [...sizeUniformData(rows, cols, inner), { type: "int32", data: [attrs.blockSize as number] }],
  }
})

// d(x op(W)) / dx = dy op(W)ᵀ: the kernel with transposeWeight flipped. W is frozen: codes and
// absmax have no gradient (asking for one fails in tfjs's backprop, naming them).
export const nf4MatMulGradient: tf.GradConfig = {
  kernelName: nf4MatMulKernelName,
  inputsToSave: ["codes", "absmax"],
  gradFunc: (dy, saved, attrs) => {
    const [codes, absmax] = saved as [tf.Tensor1D, tf.Tensor1D]
    return { x: () => runKernel(nf4MatMulKernelName, { x: dy as tf.Tensor2D, codes, absmax }, { ...attrs, transposeWeight: attrs.transposeWeight !== true }) }
  },
}
