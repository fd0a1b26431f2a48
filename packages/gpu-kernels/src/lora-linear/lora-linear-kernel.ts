// The webgpu kernel behind loraLinear, and its gradient, written with tfjs's matMul.
import * as tf from "@tensorflow/tfjs"
import { flatView, webgpuKernel } from "../shared/kernel-path.ts"
import { sizeUniformData, tiledMatMulProgram } from "../tiled-matmul/tiled-matmul-program.ts"
import { loraLinearProgram } from "./lora-linear-program.ts"

export const loraLinearKernelName = "PeftlabLoraLinear"

/**
 * Inputs x [rows, in], weight [out, in], loraA [rank, in], loraB [out, rank]; attribute scale.
 * Two dispatches: xa = x Aᵀ (small: rank columns), then one pass over the output. Doing it in one
 * dispatch would make every column tile of the output recompute its rows of xa, rank / 32 times
 * the base product's work again.
 */
export const loraLinearKernel: tf.KernelConfig = webgpuKernel(loraLinearKernelName, ({ x, weight, loraA, loraB }, gpu, attrs) => {
  const [[rows, inner], cols, rank] = [x!.shape as [number, number], weight!.shape[0] as number, loraA!.shape[0] as number]
  const xa = gpu.runWebGPUProgram(tiledMatMulProgram(rows, rank, false, true), [flatView(x!), flatView(loraA!)], "float32", sizeUniformData(rows, rank, inner))
  const uniforms = [...sizeUniformData(rows, cols, inner), { type: "int32", data: [rank] }, { type: "float32", data: [attrs.scale as number] }]
  const y = gpu.runWebGPUProgram(loraLinearProgram(rows, cols), [x!, weight!, xa, loraB!].map(flatView), "float32", uniforms)
  gpu.disposeData(xa.dataId)
  return y
})

// With u = dy B (dy [rows, out]): dx = dy W + s u A, dW = dyᵀ x, dA = s uᵀ x, dB = s dyᵀ (x Aᵀ).
export const loraLinearGradient: tf.GradConfig = {
  kernelName: loraLinearKernelName,
  inputsToSave: ["x", "weight", "loraA", "loraB"],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight, loraA, loraB] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
    const upstream = dy as tf.Tensor2D
    const scale = attrs.scale as number
    const throughB = () => tf.matMul(upstream, loraB)
    return {
      x: () => tf.matMul(upstream, weight).add(tf.matMul(throughB(), loraA).mul(scale)),
      weight: () => tf.matMul(upstream, x, true, false),
      loraA: () => tf.matMul(throughB(), x, true, false).mul(scale),
      loraB: () => tf.matMul(upstream, tf.matMul(x, loraA, false, true), true, false).mul(scale),
    }
  },
}
