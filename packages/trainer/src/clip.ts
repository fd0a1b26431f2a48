// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: every gradient is
// scaled by max_norm / (total_norm + 1e-6) when that factor is below 1.
import * as tf from "@tensorflow/tfjs"

export const globalNorm = (grads: ReadonlyArray<tf.Tensor>): number =>
  tf.tidy(() => Math.sqrt(grads.reduce((sum, g) => sum + (g.square().sum().dataSync()[0] as number), 0)))

/** Clipped copies of `grads` (new tensors; the caller disposes both) and the norm before clipping. */
export const clipByGlobalNorm = (grads: ReadonlyArray<tf.Tensor>, maxNorm: number): { grads: Array<tf.Tensor>; norm: number } => {
  const norm = globalNorm(grads)
  const factor = Math.min(1, maxNorm / (norm + 1e-6))
  return { grads: grads.map((g) => tf.tidy(() => g.mul(factor))), norm }
}
