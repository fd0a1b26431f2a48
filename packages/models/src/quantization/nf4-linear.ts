// A Linear whose weight is kept as NF4 codes. On webgpu the matmul is @peftlab/gpu-kernels'
// nf4MatMul, which dequantizes tile by tile inside the kernel, so no float32 weight exists unless
// something reads `weight`. Elsewhere the weight is dequantized once, at construction, into a
// float32 tensor for the matmul (so it saves no tensor memory there): the quantized bytes are
// the source of truth and the tensor is only a cache derived from them.
import * as tf from "@tensorflow/tfjs"
import { nf4MatMul, nf4MatMulKernelName, nf4WeightTensors, usesWgslKernel } from "@peftlab/gpu-kernels"
import { linear, type Linear } from "../layers/linear.ts"
import { dequantizeNf4, quantizeNf4, type Nf4Weights } from "./nf4.ts"

export interface Nf4Linear extends Linear {
  /** The weight [out, in] flattened row-major and NF4-quantized. */
  readonly quantized: Nf4Weights
  /** [out, in], without dequantizing anything. */
  readonly shape: readonly [number, number]
  /**
   * The dequantized [out, in] weight, owned by this module (dispose frees it, unlike a plain
   * Linear). On webgpu it is made on first read only.
   */
  readonly weight: tf.Tensor2D
}

const dequantized = (quantized: Nf4Weights, shape: readonly [number, number]): tf.Tensor2D => tf.tensor2d(dequantizeNf4(quantized), [...shape])

/** The float path: the float module's transposed forward and custom gradient on the dequantized weight. */
const onDequantizedWeight = (source: Linear, quantized: Nf4Weights): Nf4Linear => {
  const weight = dequantized(quantized, source.weight.shape)
  const inner = linear(source.name, weight, source.bias)
  return {
    name: source.name,
    weight,
    shape: weight.shape,
    ...(source.bias && { bias: source.bias }),
    quantized,
    apply: inner.apply,
    dispose: () => {
      inner.dispose()
      weight.dispose()
    },
  }
}

/** The webgpu path: x Wᵀ straight from the 4-bit codes; the gradient reaches x only, as for a frozen Linear. */
const onNf4Kernel = (source: Linear, quantized: Nf4Weights): Nf4Linear => {
  const shape = source.weight.shape
  const nf4 = nf4WeightTensors(quantized, shape)
  let weight: tf.Tensor2D | undefined
  return {
    name: source.name,
    get weight() {
      // Kept: a first read inside a tidy must not free the cache.
      return (weight ??= tf.keep(dequantized(quantized, shape)))
    },
    shape,
    ...(source.bias && { bias: source.bias }),
    quantized,
    apply: (x) =>
      tf.tidy(() => {
        const product = nf4MatMul(x, nf4)
        return source.bias ? product.add(source.bias) : product
      }),
    dispose: () => tf.dispose([nf4.codes, nf4.absmax, ...(weight ? [weight] : [])]),
  }
}

/**
 * The NF4 counterpart of `source` (same name and shape); `source` is left as it is. Async because
 * quantizing reads the weight to the host, and some backends (webgpu) only read asynchronously.
 * The backend in use now picks the path: build it on the backend it will run on.
 */
export const nf4Linear = async (source: Linear, blockSize = 64): Promise<Nf4Linear> => {
  const quantized = quantizeNf4((await source.weight.data()) as Float32Array, blockSize)
  return usesWgslKernel(nf4MatMulKernelName) ? onNf4Kernel(source, quantized) : onDequantizedWeight(source, quantized)
}
