// The webgpu kernel behind tiledMatMul, and its gradient, written with tfjs's matMul.
import * as tf from "@tensorflow/tfjs"
import { flatView, webgpuKernel } from "../shared/kernel-path.ts"
import { hoistEnableDirectives } from "../shared/shader-f16.ts"
import type { TilePrecision } from "./tile-loop.wgsl.ts"
import { sizeUniformData, tiledMatMulProgram } from "./tiled-matmul-program.ts"

export const tiledMatMulKernelName = "PeftlabTiledMatMul"

/**
 * Inputs a and b (2-D float32); attributes transposeA, transposeB and precision ("f32", or "f16"
 * on a device with shader-f16, which the op checks).
 */
export const tiledMatMulKernel: tf.KernelConfig = webgpuKernel(tiledMatMulKernelName, ({ a, b }, gpu, attrs) => {
  const [transposeA, transposeB] = [attrs.transposeA === true, attrs.transposeB === true]
  const precision: TilePrecision = attrs.precision === "f16" ? "f16" : "f32"
  const [rows, inner] = (transposeA ? [...a!.shape].reverse() : a!.shape) as [number, number]
  const cols = b!.shape[transposeB ? 0 : 1] as number
  if (precision === "f16") hoistEnableDirectives(gpu.device)
  return gpu.runWebGPUProgram(tiledMatMulProgram(rows, cols, transposeA, transposeB, precision), [flatView(a!), flatView(b!)], "float32", sizeUniformData(rows, cols, inner))
})

// For C = op(a) op(b): dop(a) = dC op(b)ᵀ and dop(b) = op(a)ᵀ dC, each stored back as its operand is.
// In float32 whatever the forward precision.
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
