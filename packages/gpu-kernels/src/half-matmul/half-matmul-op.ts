import * as tf from "@tensorflow/tfjs"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { halfMatMulKernelName } from "./half-matmul-kernel.ts"
import { halfDecode, type HalfWeight } from "./half-weight.ts"

const check = (x: tf.Tensor, { words, shape }: HalfWeight, transposeWeight: boolean): void => {
  const inner = transposeWeight ? shape[1] : shape[0]
  tf.util.assert(x.dtype === "float32" && words.dtype === "int32", () => `halfMatMul: expected float32 x and int32 words, got ${x.dtype} and ${words.dtype}`)
  tf.util.assert(
    x.shape.at(-1) === inner && words.size === Math.ceil((shape[0] * shape[1]) / 2),
    () => `halfMatMul: x [${x.shape}] times W${transposeWeight ? "ᵀ" : ""} for W [${shape}] (${Math.ceil((shape[0] * shape[1]) / 2)} words, got ${words.size})`,
  )
}

/**
 * x Wᵀ (transposeWeight, the default: W is nn.Linear's [out, in]) or x W, over x [..., K], for a
 * 16-bit W kept packed on the device (see half-weight.ts): on webgpu one tiled pass decoding W as
 * it goes; elsewhere W decoded on the host, then tfjs's matMul. W is frozen: the gradient is with
 * respect to x only (by the same kernel on webgpu).
 */
export const halfMatMul = (x: tf.Tensor, weight: HalfWeight, transposeWeight = true): tf.Tensor => {
  check(x, weight, transposeWeight)
  const [inner, outer] = transposeWeight ? [weight.shape[1], weight.shape[0]] : weight.shape
  return tf.tidy(() => {
    const rows = x.reshape([-1, inner]) as tf.Tensor2D
    const product = usesWgslKernel(halfMatMulKernelName)
      ? runKernel(halfMatMulKernelName, { x: rows, words: weight.words }, { weightRows: weight.shape[0], weightCols: weight.shape[1], storage: weight.storage, transposeWeight })
      : tf.matMul(rows, halfDecode(weight), false, transposeWeight)
    return product.reshape([...x.shape.slice(0, -1), outer])
  })
}
