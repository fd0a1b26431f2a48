import { registerGpuKernels } from "./registry.ts"

export { defaultIgnoreIndex, softmaxCrossEntropy, softmaxCrossEntropyComposed } from "./cross-entropy/cross-entropy-op.ts"
export { loraLinear, loraLinearComposed, type LoraWeights } from "./lora-linear/lora-linear-op.ts"
export { gpuKernelNames, registerGpuKernels } from "./registry.ts"
export { rmsNorm, rmsNormComposed } from "./rms-norm/rms-norm-op.ts"
export { tiledMatMul } from "./tiled-matmul/tiled-matmul-op.ts"

// Importing the package is enough for the ops to use their kernels on webgpu.
registerGpuKernels()
