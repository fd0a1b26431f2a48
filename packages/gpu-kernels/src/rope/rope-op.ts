// Rotary position embeddings (HF's rotate_half layout) fused with the split into heads: a query or
// key projection's output [b, t, heads·d] -> [b, heads, t, d], each head vector rotated by its
// token's position and multiplied by a scale (the query's 1/sqrt(d)). One pass where the backend
// has the kernel (the wasm plugin's C kernel), else composed tfjs ops with their own gradient,
// which keep only the two gathered table rows for the backward pass.
import * as tf from "@tensorflow/tfjs"
import { splitHeads } from "../shared/heads.ts"
import { runKernel, usesFusedKernel } from "../shared/kernel-path.ts"
import { ropeGradComposed, ropeKernelName, rotatedComposed, tableRows, type RopeAttrs } from "./rope-kernel.ts"

export interface RopeOptions {
  /** How many head vectors of cos's width each token's row of x holds. */
  readonly heads: number
  /** What the rotated vectors are multiplied by; 1 unless given. */
  readonly scale?: number
}

/** The kernel's attributes, once the tensors are checked. */
const checkedAttrs = (x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, positions: tf.Tensor2D, { heads, scale = 1 }: RopeOptions): RopeAttrs => {
  const headDim = cos.shape[1]
  tf.util.assert(x.dtype === "float32" && cos.dtype === "float32" && sin.dtype === "float32", () => `rope: expected float32 x and tables, got x ${x.dtype}, cos ${cos.dtype}, sin ${sin.dtype}`)
  tf.util.assert(positions.dtype === "int32", () => `rope: positions must be int32, got ${positions.dtype}`)
  tf.util.assert(cos.rank === 2 && tf.util.arraysEqual(cos.shape, sin.shape) && headDim > 0 && headDim % 2 === 0, () => `rope: cos [${cos.shape}] and sin [${sin.shape}] must be one [maxPositions, even headDim]`)
  tf.util.assert(Number.isInteger(heads) && heads > 0 && x.rank === 3 && x.shape[2] === heads * headDim, () => `rope: x [${x.shape}] must be [batch, time, heads·headDim] = [.., .., ${heads}·${headDim}]`)
  tf.util.assert(positions.rank === 2 && positions.shape[0] === x.shape[0] && positions.shape[1] === x.shape[1], () => `rope: positions [${positions.shape}] must be x's [batch, time] = [${x.shape.slice(0, 2)}]`)
  tf.util.assert(Number.isFinite(scale), () => `rope: scale must be finite, got ${scale}`)
  return { heads, headDim, scale }
}

const composed = (x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, positions: tf.Tensor2D, { heads, headDim, scale }: RopeAttrs): tf.Tensor4D =>
  tf.tidy(() => {
    const [cosRows, sinRows] = [tableRows(cos, positions), tableRows(sin, positions)]
    const rotate = tf.customGrad((...args) => {
      const [input, save] = args as unknown as [tf.Tensor3D, tf.GradSaveFunc]
      save([cosRows, sinRows])
      return {
        value: rotatedComposed(splitHeads(input, heads, headDim), cosRows, sinRows, scale),
        gradFunc: (dy: tf.Tensor, [c, s]: Array<tf.Tensor>) => ropeGradComposed(dy as tf.Tensor4D, c!, s!, scale),
      }
    })
    return rotate(x) as tf.Tensor4D
  })

/**
 * rope composed of tfjs ops (split into heads, gathered table rows, halves swapped by split and
 * concat): the reference and the fallback. A position outside the tables fails where tf.gather
 * does (cpu), and is the backend's gather's business elsewhere.
 */
export const ropeComposed = (x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, positions: tf.Tensor2D, options: RopeOptions): tf.Tensor4D =>
  composed(x, cos, sin, positions, checkedAttrs(x, cos, sin, positions, options))

/**
 * x [b, t, heads·d] -> [b, heads, t, d]: head vector h of token (b, t) at position p = positions[b, t],
 * rotated as HF's apply_rotary_pos_emb does, x_h cos[p] + rotate_half(x_h) sin[p], with `sin`
 * holding rotate_half's sign (−sin on the first half, +sin on the second), then times the scale.
 * The wasm kernel refuses (RangeError) a position outside [0, maxPositions).
 */
export const rope = (x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, positions: tf.Tensor2D, options: RopeOptions): tf.Tensor4D => {
  const attrs = checkedAttrs(x, cos, sin, positions, options)
  if (!usesFusedKernel(ropeKernelName)) return composed(x, cos, sin, positions, attrs)
  return runKernel(ropeKernelName, { x, cos, sin, positions }, { ...attrs }) as tf.Tensor4D
}
