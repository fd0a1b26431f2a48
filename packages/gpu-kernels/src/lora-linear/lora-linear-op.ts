import * as tf from "@tensorflow/tfjs"
import { runKernel, usesWgslKernel } from "../shared/kernel-path.ts"
import { loraLinearKernelName } from "./lora-linear-kernel.ts"

export interface LoraWeights {
  /** The base weight W [out, in], nn.Linear's layout. */
  readonly weight: tf.Tensor2D
  /** A [rank, in]. */
  readonly loraA: tf.Tensor2D
  /** B [out, rank]. */
  readonly loraB: tf.Tensor2D
  /** LoRA's scale: alpha / rank, or alpha / sqrt(rank) for rsLoRA. */
  readonly scale: number
}

const check = (x: tf.Tensor, { weight, loraA, loraB }: LoraWeights): void => {
  const [out, inFeatures] = weight.shape
  const rank = loraA.shape[0]
  tf.util.assert([x, weight, loraA, loraB].every((t) => t.dtype === "float32"), () => "loraLinear: expected float32 tensors")
  tf.util.assert(
    x.shape.at(-1) === inFeatures && loraA.shape[1] === inFeatures && loraB.shape[0] === out && loraB.shape[1] === rank && rank > 0,
    () => `loraLinear: x [${x.shape}] needs W [out, ${x.shape.at(-1)}], A [rank, ${x.shape.at(-1)}], B [out, rank]; got W [${weight.shape}], A [${loraA.shape}], B [${loraB.shape}]`,
  )
}

const composed = (x: tf.Tensor, { weight, loraA, loraB, scale }: LoraWeights): tf.Tensor =>
  tf.tidy(() => {
    const rows = x.reshape([-1, weight.shape[1]]) as tf.Tensor2D
    const base = tf.matMul(rows, weight, false, true)
    const update = tf.matMul(tf.matMul(rows, loraA, false, true), loraB, false, true).mul(scale)
    return base.add(update).reshape([...x.shape.slice(0, -1), weight.shape[0]])
  })

/** The LoRA linear composed of tfjs ops (three matMuls): the reference and the fallback. */
export const loraLinearComposed = (x: tf.Tensor, weights: LoraWeights): tf.Tensor => {
  check(x, weights)
  return composed(x, weights)
}

/**
 * x Wᵀ + scale (x Aᵀ) Bᵀ over x [..., in]: on webgpu, x Aᵀ then a single pass that accumulates the
 * base product and the update together (no [..., out] intermediates); three matMuls elsewhere.
 * No bias and no dropout: add them around it. Its gradient uses tfjs's matMul.
 */
export const loraLinear = (x: tf.Tensor, weights: LoraWeights): tf.Tensor => {
  check(x, weights)
  const { weight, loraA, loraB, scale } = weights
  if (!usesWgslKernel(loraLinearKernelName)) return composed(x, weights)
  return tf.tidy(() =>
    runKernel(loraLinearKernelName, { x: x.reshape([-1, weight.shape[1]]), weight, loraA, loraB }, { scale }).reshape([
      ...x.shape.slice(0, -1),
      weight.shape[0],
    ]),
  )
}
