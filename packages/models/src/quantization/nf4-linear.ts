// A Linear whose weight is kept as NF4 codes. On webgpu the matmul is @peftlab/gpu-kernels'
// nf4MatMul, which dequantizes tile by tile inside the kernel. Elsewhere the codes stay on the
// host and each call dequantizes the weight for its matmul and frees it (frozen/frozen-linear.ts),
// so the backend holds one layer's weight at a time and the model costs its NF4 bytes. The weight
// is read to the host for quantizing by host-weight.ts.
import * as tf from "@tensorflow/tfjs"
import { nf4MatMul, nf4MatMulKernelName, nf4WeightTensors, usesWgslKernel, type Nf4Weight } from "@peftlab/gpu-kernels"
import { frozenLinear } from "../frozen/frozen-linear.ts"
import { nf4Matrix, type Nf4Matrix } from "../frozen/nf4-matrix.ts"
import type { Linear } from "../layers/linear.ts"
import { hostWeight } from "./host-weight.ts"
import { dequantizeNf4, quantizeNf4, type Nf4Weights } from "./nf4.ts"

export interface Nf4Linear extends Linear {
  /** The weight [out, in] flattened row-major and NF4-quantized. */
  readonly quantized: Nf4Weights
}

/** Whether `module` keeps its weight as NF4 codes. */
export const isNf4Linear = (module: Linear): module is Nf4Linear => "quantized" in module

/** The host path: the codes dequantized per call. */
export const nf4HostLinear = (name: string, matrix: Nf4Matrix, bias?: tf.Tensor1D): Nf4Linear => ({ ...frozenLinear(name, matrix, bias), quantized: matrix.quantized })

/**
 * The webgpu path: x Wᵀ straight from the 4-bit codes `nf4` (on the device) of `quantized` (on
 * the host, for readWeight); the gradient reaches x only, as for a frozen Linear. `dispose` frees
 * what the module owns of them.
 */
export const nf4KernelLinear = (name: string, quantized: Nf4Weights, nf4: Nf4Weight, bias: tf.Tensor1D | undefined, dispose: () => void): Nf4Linear => ({
  name,
  shape: nf4.shape,
  ...(bias && { bias }),
  quantized,
  readWeight: () => tf.tensor2d(dequantizeNf4(quantized), [...nf4.shape]),
  apply: (x) =>
    tf.tidy(() => {
      const product = nf4MatMul(x, nf4)
      return bias ? product.add(bias) : product
    }),
  dispose,
})

/** nf4KernelLinear over codes it uploads itself, and frees. */
const onNf4Kernel = (name: string, quantized: Nf4Weights, shape: readonly [number, number], bias?: tf.Tensor1D): Nf4Linear => {
  const nf4 = nf4WeightTensors(quantized, shape)
  return nf4KernelLinear(name, quantized, nf4, bias, () => tf.dispose([nf4.codes, nf4.absmax]))
}

/**
 * The NF4 counterpart of `source` (same name and shape); `source` is left as it is. Async because
 * quantizing reads the weight to the host, and some backends (webgpu) only read asynchronously.
 * The backend in use now picks the path: build it on the backend it will run on.
 */
export const nf4Linear = async (source: Linear, blockSize = 64): Promise<Nf4Linear> => {
  const quantized = quantizeNf4(await hostWeight(source), blockSize)
  return usesWgslKernel(nf4MatMulKernelName)
    ? onNf4Kernel(source.name, quantized, source.shape, source.bias)
    : nf4HostLinear(source.name, nf4Matrix(quantized, source.shape), source.bias)
}
