// A Linear whose weight is kept as NF4 codes. This first version dequantizes once, at
// construction, into a float32 tensor for the matmul (so it saves no tensor memory yet): the
// quantized bytes are the source of truth and the tensor is only a cache derived from them.
import * as tf from "@tensorflow/tfjs"
import { linear, type Linear } from "../layers/linear.ts"
import { dequantizeNf4, quantizeNf4, type Nf4Weights } from "./nf4.ts"

export interface Nf4Linear extends Linear {
  /** The weight [out, in] flattened row-major and NF4-quantized. */
  readonly quantized: Nf4Weights
  /** The dequantized [out, in] weight, owned by this module (dispose frees it, unlike a plain Linear). */
  readonly weight: tf.Tensor2D
}

/**
 * The NF4 counterpart of `source` (same name and shape); `source` is left as it is. Async because
 * quantizing reads the weight to the host, and some backends (webgpu) only read asynchronously.
 */
export const nf4Linear = async (source: Linear, blockSize = 64): Promise<Nf4Linear> => {
  const quantized = quantizeNf4((await source.weight.data()) as Float32Array, blockSize)
  const weight = tf.tensor2d(dequantizeNf4(quantized), source.weight.shape)
  // Reuse the float module's transposed forward and custom gradient on the dequantized weight.
  const inner = linear(source.name, weight, source.bias)
  return {
    name: source.name,
    weight,
    ...(source.bias && { bias: source.bias }),
    quantized,
    apply: inner.apply,
    dispose: () => {
      inner.dispose()
      weight.dispose()
    },
  }
}
