// Initial values of LoRA's factors, as PEFT 0.21.2's LoraLayer.update_layer draws them
// (init_lora_weights). true: nn.init.kaiming_uniform_(A, a=sqrt(5)); with gain sqrt(2 / (1 + a^2)) =
// sqrt(1/3), the bound sqrt(3) * gain / sqrt(fan_in) simplifies to 1 / sqrt(fan_in), A is [r, in] so
// fan_in = in; B zeros. "gaussian": A ~ N(0, (1/r)^2), B zeros. "olora" (olora_init): Q, R =
// qr(W), B = Q[:, :r], A = R[:r], and the frozen weight becomes W - scale * B A, so the module
// starts out computing what the base does. "pissa" / "pissa_niter_N" (pissa_init) and "loftq"
// (loftq_init) factor the weight by SVD: pissa.ts.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"

/** init_lora_weights values peftlab creates adapters with, besides pissa_niter_N (isLoraInit). */
export const loraInits = [true, "gaussian", "olora", "pissa", "loftq"] as const
/** PEFT's randomized PiSSA: torch.svd_lowrank with niter N subspace iterations. */
export type PissaNiter = `pissa_niter_${number}`
export type LoraInit = (typeof loraInits)[number] | PissaNiter

/** "pissa_niter_N" with N a non-negative integer written without leading zeros. */
export const pissaNiterPattern = /^pissa_niter_(0|[1-9][0-9]*)$/

export const isLoraInit = (value: unknown): value is LoraInit =>
  (loraInits as ReadonlyArray<unknown>).includes(value) || (typeof value === "string" && pissaNiterPattern.test(value))

/** The inits whose frozen weight is the base minus the initial update, saved converted to a plain LoRA of rank 2r (as PEFT's path_initial_model_for_weight_conversion). */
export const isSubtractedInit = (init: LoraInit | undefined): boolean => init === "loftq" || (typeof init === "string" && init.startsWith("pissa"))

/** N of "pissa_niter_N"; undefined for the full-SVD "pissa". */
export const pissaIterations = (init: "pissa" | PissaNiter): number | undefined => (init === "pissa" ? undefined : Number(init.slice("pissa_niter_".length)))

export const kaimingUniformBound = (fanIn: number): number => 1 / Math.sqrt(fanIn)

export const initialLoraA = (r: number, inFeatures: number, rng: Rng): tf.Tensor2D => {
  const bound = kaimingUniformBound(inFeatures)
  const values = Float32Array.from({ length: r * inFeatures }, () => (2 * rng.next() - 1) * bound)
  return tf.tensor2d(values, [r, inFeatures])
}

/** A's values under init_lora_weights="gaussian": nn.init.normal_(A, std=1/r). */
export const gaussianLoraA = (r: number, inFeatures: number, rng: Rng): tf.Tensor2D =>
  tf.tensor2d(Float32Array.from({ length: r * inFeatures }, () => rng.normal() / r), [r, inFeatures])

/**
 * OLoRA's factors of `weight` [out, in]: B = Q[:, :r] (orthonormal columns spanning W's first r
 * columns) and A = Bᵀ W (= R[:r]). Modified Gram-Schmidt in float32, as PEFT's torch.linalg.qr runs
 * in float32; its Q and R differ from Householder's by a sign per column of Q and row of R, which
 * B A (all that outputs and the residual see) does not.
 */
export const oloraFactors = (weight: tf.Tensor2D, r: number): { readonly a: tf.Tensor2D; readonly b: tf.Tensor2D } =>
  tf.tidy(() => {
    const [outFeatures, inFeatures] = weight.shape
    if (r > Math.min(outFeatures, inFeatures)) throw new RangeError(`OLoRA needs r <= min(out, in) = ${Math.min(outFeatures, inFeatures)}, got r = ${r}`)
    const columns: tf.Tensor1D[] = []
    for (let j = 0; j < r; j++) {
      let v = weight.slice([0, j], [outFeatures, 1]).reshape([outFeatures]) as tf.Tensor1D
      for (const q of columns) v = v.sub(q.mul(q.dot(v))) as tf.Tensor1D
      columns.push(v.div(v.norm()) as tf.Tensor1D)
    }
    const b = tf.stack(columns, 1) as tf.Tensor2D
    return { a: tf.matMul(b, weight, true, false) as tf.Tensor2D, b }
  })
