import { registerGpuKernels } from "./registry.ts"

export { defaultIgnoreIndex, softmaxCrossEntropy, softmaxCrossEntropyComposed } from "./cross-entropy/cross-entropy-op.ts"
export { type AttentionOptions, flashAttention, flashAttentionComposed, maxKernelHeadDim } from "./flash-attention/flash-attention-op.ts"
export { loraLinear, loraLinearComposed, type LoraWeights } from "./lora-linear/lora-linear-op.ts"
export { nf4MatMul, nf4MatMulComposed } from "./nf4-matmul/nf4-matmul-op.ts"
export { type Nf4Weight, nf4Dequantize, nf4WeightTensors, type PackedNf4 } from "./nf4-matmul/nf4-weight.ts"
export { gpuKernelNames, registerGpuKernels } from "./registry.ts"
export { rmsNorm, rmsNormComposed } from "./rms-norm/rms-norm-op.ts"
export { type ShaderF16Support, shaderF16Support } from "./shared/shader-f16.ts"
export { type TiledMatMulOptions, tiledMatMul } from "./tiled-matmul/tiled-matmul-op.ts"

// Importing the package is enough for the ops to use their kernels on webgpu.
registerGpuKernels()
