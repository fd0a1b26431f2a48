// Puts the WGSL kernels (and their gradients) in tfjs's registry for the webgpu backend. The
// registry is keyed by name, so this can run before or after the backend is set up.
import * as tf from "@tensorflow/tfjs"
import { crossEntropyGradient, crossEntropyKernel } from "./cross-entropy/cross-entropy-kernel.ts"
import { flashAttentionGradient, flashAttentionKernel } from "./flash-attention/flash-attention-kernel.ts"
import { halfMatMulGradient, halfMatMulKernel } from "./half-matmul/half-matmul-kernel.ts"
import { loraLinearGradient, loraLinearKernel } from "./lora-linear/lora-linear-kernel.ts"
import { nf4MatMulGradient, nf4MatMulKernel } from "./nf4-matmul/nf4-matmul-kernel.ts"
import { rmsNormGradient, rmsNormKernel } from "./rms-norm/rms-norm-kernel.ts"
import { rowGatherKernel } from "./row-gather/row-gather-kernel.ts"
import { ropeGradient } from "./rope/rope-kernel.ts"
import { swiGluGradient } from "./swiglu/swiglu-kernel.ts"
import { webgpu } from "./shared/kernel-path.ts"
import { tiledMatMulGradient, tiledMatMulKernel } from "./tiled-matmul/tiled-matmul-kernel.ts"

// A kernel without a gradient (the row gather: frozen tables, integer ids) pairs with undefined.
const kernels: ReadonlyArray<readonly [tf.KernelConfig, tf.GradConfig | undefined]> = [
  [rmsNormKernel, rmsNormGradient],
  [crossEntropyKernel, crossEntropyGradient],
  [loraLinearKernel, loraLinearGradient],
  [tiledMatMulKernel, tiledMatMulGradient],
  [nf4MatMulKernel, nf4MatMulGradient],
  [flashAttentionKernel, flashAttentionGradient],
  [halfMatMulKernel, halfMatMulGradient],
  [rowGatherKernel, undefined],
]

// Gradients of ops with no WGSL kernel yet, whose kernels other backend plugins register by name.
const gradientsWithoutWgsl: ReadonlyArray<tf.GradConfig> = [swiGluGradient, ropeGradient]

/** The names of the kernels registerGpuKernels registers (for "webgpu"), in that order. */
export const gpuKernelNames: ReadonlyArray<string> = kernels.map(([kernel]) => kernel.kernelName)

/** Registers every kernel and every gradient once; later calls do nothing. */
export const registerGpuKernels = (): void => {
  for (const [kernel, gradient] of kernels) {
    if (tf.getKernel(kernel.kernelName, webgpu) === undefined) tf.registerKernel(kernel)
    if (gradient !== undefined && tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient)
  }
  for (const gradient of gradientsWithoutWgsl) if (tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient)
}
