import { registerGpuKernels } from "./registry.ts"

export { nf4Levels } from "./nf4-matmul/nf4-levels.ts"
export { defaultIgnoreIndex, softmaxCrossEntropy, softmaxCrossEntropyComposed } from "./cross-entropy/cross-entropy-op.ts"
export { type AttentionOptions, flashAttention, flashAttentionComposed, maxKernelHeadDim } from "./flash-attention/flash-attention-op.ts"
export { halfMatMul } from "./half-matmul/half-matmul-op.ts"
export { halfDecode, halfWeight, halfWords, type HalfStorage, type HalfWeight } from "./half-matmul/half-weight.ts"
export { deviceBindingLimit, forceBindingLimit, uploadNow } from "./shared/device-limits.ts"
export { type GatherTable, gatherTableRows } from "./row-gather/row-gather-op.ts"
export { loraLinear, loraLinearComposed, type LoraWeights } from "./lora-linear/lora-linear-op.ts"
export { nf4MatMul, nf4MatMulComposed } from "./nf4-matmul/nf4-matmul-op.ts"
export { type Nf4Weight, nf4Dequantize, nf4WeightTensors, type PackedNf4 } from "./nf4-matmul/nf4-weight.ts"
export { gpuKernelNames, registerGpuKernels } from "./registry.ts"
export { rmsNorm, rmsNormComposed } from "./rms-norm/rms-norm-op.ts"
export { swiGlu, swiGluComposed } from "./swiglu/swiglu-op.ts"
export { type ShaderF16Support, shaderF16Support } from "./shared/shader-f16.ts"
export { usesFusedKernel, usesWgslKernel } from "./shared/kernel-path.ts"
export { type TiledMatMulOptions, tiledMatMul } from "./tiled-matmul/tiled-matmul-op.ts"

// Each op's kernel name: what usesWgslKernel takes, and what tf.profile lists when the kernel runs.
export { crossEntropyKernelName } from "./cross-entropy/cross-entropy-kernel.ts"
export { flashAttentionGradKernelName, flashAttentionKernelName } from "./flash-attention/flash-attention-kernel.ts"
export { halfMatMulKernelName } from "./half-matmul/half-matmul-kernel.ts"
export { rowGatherKernelName } from "./row-gather/row-gather-kernel.ts"
export { loraLinearKernelName } from "./lora-linear/lora-linear-kernel.ts"
export { nf4MatMulKernelName } from "./nf4-matmul/nf4-matmul-kernel.ts"
export { rmsNormGradKernelName, rmsNormKernelName } from "./rms-norm/rms-norm-kernel.ts"
export { swiGluGradKernelName, swiGluKernelName } from "./swiglu/swiglu-kernel.ts"
export { tiledMatMulKernelName } from "./tiled-matmul/tiled-matmul-kernel.ts"

// Importing the package is enough for the ops to use their kernels on webgpu.
registerGpuKernels()
