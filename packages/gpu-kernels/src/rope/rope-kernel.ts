// Rotary position embeddings' kernel names and gradient. No WGSL kernel yet: a backend plugin
// registers kernels under these names (the wasm plugin's one-pass C kernels), and elsewhere the op
// is composed of tfjs ops. The gradient runs the backend's gradient kernel where it has one, else
// composed ops; the tables and the positions get none.
import * as tf from "@tensorflow/tfjs"
import { mergeHeads } from "../shared/heads.ts"
import { runKernel, usesFusedKernel } from "../shared/kernel-path.ts"

/**
 * Inputs x [b, t, heads·d], cos and sin [maxPositions, d], positions int32 [b, t]; attributes heads,
 * headDim and scale; output y [b, heads, t, d] with, for the head vector x_h of token (b, t) at
 * position p and i's partner j in the other half, y[i] = scale · (x_h[i] cos[p, i] + x_h[j] sin[p, i]).
 */
export const ropeKernelName = "PeftlabRope"
/** Inputs dy [b, heads, t, d], cos, sin and positions (as the forward's); the same attributes; output dx [b, t, heads·d]. */
export const ropeGradKernelName = "PeftlabRopeGrad"

export interface RopeAttrs {
  readonly heads: number
  readonly headDim: number
  readonly scale: number
}

/** [.., (x1, x2)] -> [.., (x2, x1)] over the last axis. */
const swapHalves = (x: tf.Tensor): tf.Tensor => {
  const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor]
  return tf.concat([x2, x1], -1)
}

/** The table rows of `positions` [b, t], as [b, 1, t, d]: one row per token, shared by every head. */
export const tableRows = (table: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor4D => {
  const [batch, time] = positions.shape
  return tf.gather(table, positions.flatten()).reshape([batch, 1, time, table.shape[1]])
}

/** scale · (x cos + swap(x) sin) for x [b, heads, t, d] and the gathered rows [b, 1, t, d]. */
export const rotatedComposed = (x: tf.Tensor4D, cosRows: tf.Tensor, sinRows: tf.Tensor, scale: number): tf.Tensor4D => {
  const rotated = x.mul(cosRows).add(swapHalves(x).mul(sinRows)) as tf.Tensor4D
  return scale === 1 ? rotated : rotated.mul(scale)
}

/**
 * dx [b, t, heads·d] for dy [b, heads, t, d], composed of tfjs ops: the rotation's transpose,
 * g cos + swap(g sin) with g = scale · dy (swapping the halves is its own inverse).
 */
export const ropeGradComposed = (dy: tf.Tensor4D, cosRows: tf.Tensor, sinRows: tf.Tensor, scale: number): tf.Tensor3D =>
  tf.tidy(() => {
    const g = scale === 1 ? dy : dy.mul(scale)
    return mergeHeads(g.mul(cosRows).add(swapHalves(g.mul(sinRows))) as tf.Tensor4D)
  })

export const ropeGradient: tf.GradConfig = {
  kernelName: ropeKernelName,
  inputsToSave: ["cos", "sin", "positions"],
  gradFunc: (dy, saved, attrs) => {
    const [cos, sin, positions] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
    const upstream = dy as tf.Tensor4D
    const { heads, headDim, scale } = attrs as unknown as RopeAttrs
    const dx = () =>
      usesFusedKernel(ropeGradKernelName)
        ? runKernel(ropeGradKernelName, { dy: upstream, cos, sin, positions }, { heads, headDim, scale })
        : ropeGradComposed(upstream, tableRows(cos, positions), tableRows(sin, positions), scale)
    return { x: dx }
  },
}
