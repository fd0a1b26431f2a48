// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: every gradient is
// scaled by max_norm / (total_norm + 1e-6) when that factor is below 1. All in the graph, so a
// step never waits on a host read (backends such as webgpu can only read asynchronously).
import * as tf from "@tensorflow/tfjs"

/** The L2 norm of all gradients taken together, as a scalar tensor the caller disposes. */
export const globalNorm = (grads: ReadonlyArray<tf.Tensor>): tf.Scalar =>
  tf.tidy(() => grads.reduce((sum: tf.Tensor, g) => sum.add(g.square().sum()), tf.scalar(0)).sqrt() as tf.Scalar)

/** Clipped copies of `grads` and the norm before clipping (new tensors: the caller disposes them and `grads`). */
export const clipByGlobalNorm = (grads: ReadonlyArray<tf.Tensor>, maxNorm: number): { grads: Array<tf.Tensor>; norm: tf.Scalar } =>
  tf.tidy(() => {
    const norm = globalNorm(grads)
    const factor = tf.minimum(1, tf.div(maxNorm, norm.add(1e-6)))
    return { grads: grads.map((g) => g.mul(factor)), norm }
  })
