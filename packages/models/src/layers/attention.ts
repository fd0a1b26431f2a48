// Multi-head attention's core, shared by every architecture: softmax(q kᵀ + bias) v.
// Grouped-query attention (each key/value head serving `groups` consecutive query heads, HF's
// repeat_kv order) folds the group into the query time axis instead of copying K and V:
// Q [b, kv, groups*t, d] against K [b, kv, s, d] is one batched matmul.
//
// It is one op with its own gradient: tfjs's tape would keep every intermediate of the
// composed softmax (scores, biased scores, max, exp, sums: five [b, heads, t, s] tensors per
// layer) for the backward pass, which needs only the probabilities.
//
// Where the backend has @peftlab/gpu-kernels' fused attention kernel (WGSL on webgpu, the wasm
// plugin's C kernel), a bias made of masks alone (see markMaskBias) lets flashAttention run
// instead: one pass over the keys that never stores the scores, its gradient recomputing the
// probabilities. A bias with more in it (T5's position bias) keeps the op above.
import * as tf from "@tensorflow/tfjs"
import { type AttentionOptions, flashAttention, flashAttentionKernelName, maxKernelHeadDim, mergeHeads, usesFusedKernel } from "@peftlab/gpu-kernels"

export { splitHeads } from "@peftlab/gpu-kernels"

/** The sum of `gradient` over the axes `shape` broadcasts along (size 1 there, or missing in front). */
const reducedTo = (gradient: tf.Tensor, shape: ReadonlyArray<number>): tf.Tensor => {
  const offset = gradient.rank - shape.length
  const axes = gradient.shape.map((_, axis) => axis).filter((axis) => axis < offset || (shape[axis - offset] === 1 && gradient.shape[axis] !== 1))
  return (axes.length > 0 ? gradient.sum(axes, true) : gradient).reshape(shape as Array<number>)
}

/**
 * The op for `heads` query heads over `time` queries: q folded [b, kv, g*t, d], k and v
 * [b, kv, s, d], bias broadcastable to [b, heads, t, s] -> output folded [b, kv, g*t, d].
 */
const foldedAttention = (heads: number, time: number) =>
  tf.customGrad((...args) => {
    const [q, k, v, bias, save] = args as unknown as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor, tf.GradSaveFunc]
    const [batch, kvHeads, rows] = q.shape
    const keys = k.shape[2]
    const unfolded = [batch, heads, time, keys]
    const scores = tf.matMul(q, k, false, true).reshape(unfolded).add(bias)
    const probabilities = tf.softmax(scores).reshape([batch, kvHeads, rows, keys])
    save([q, k, v, probabilities])
    return {
      value: tf.matMul(probabilities, v),
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) =>
        tf.tidy(() => {
          const [sq, sk, sv, p] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
          const dProbabilities = tf.matMul(dy as tf.Tensor4D, sv, false, true)
          // Softmax's vector-Jacobian product: p ⊙ (dp - Σ dp ⊙ p).
          const dScores = p.mul(dProbabilities.sub(dProbabilities.mul(p).sum(-1, true))) as tf.Tensor4D
          return [tf.matMul(dScores, sk), tf.matMul(dScores, sq, true, false), tf.matMul(p, dy as tf.Tensor4D, true, false), reducedTo(dScores.reshape(unfolded), bias.shape)]
        }),
    }
  })

const maskBiases = new WeakMap<tf.Tensor, { readonly causal: boolean }>()

/**
 * Records that `bias` [1 or b, 1, t, keys] is a mask and nothing else: 0 or the same large negative
 * number everywhere, by key padding and (when `causal`) by the causal order with the queries the
 * last t of the keys, as attentionBias makes it. Returns `bias`.
 */
export const markMaskBias = (bias: tf.Tensor4D, causal: boolean): tf.Tensor4D => {
  maskBiases.set(bias, { causal })
  return bias
}

/** flashAttention's options standing for `bias`, when the backend can run the kernel in attend's place. */
const kernelOptions = (q: tf.Tensor4D, k: tf.Tensor4D, bias: tf.Tensor4D): AttentionOptions | undefined => {
  const marked = maskBiases.get(bias)
  const [batch, , time, headDim] = q.shape
  const keys = k.shape[2]
  if (marked === undefined || !usesFusedKernel(flashAttentionKernelName) || headDim > maxKernelHeadDim) return undefined
  if (bias.shape[1] !== 1 || bias.shape[2] !== time || bias.shape[3] !== keys) return undefined
  // The last query sees every key in causal order too, so its row is the padding mask alone.
  const padding = bias.slice([0, 0, time - 1, 0], [-1, 1, 1, keys]).reshape([bias.shape[0], keys])
  return { scale: 1, causal: marked.causal, mask: tf.broadcastTo(padding, [batch, keys]) as tf.Tensor2D }
}

/**
 * q [b, heads, t, d] (already scaled as the architecture wants), k and v [b, kvHeads, s, d],
 * bias broadcastable to [b, heads, t, s] (masking and any position bias) -> [b, t, heads*d].
 */
export const attend = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor3D =>
  tf.tidy(() => {
    const options = kernelOptions(q, k, bias)
    if (options !== undefined) return mergeHeads(flashAttention(q, k, v, options))
    const [batch, heads, time, headDim] = q.shape
    const kvHeads = k.shape[1]
    const groups = heads / kvHeads
    const folded = foldedAttention(heads, time)(q.reshape([batch, kvHeads, groups * time, headDim]), k, v, bias) as tf.Tensor4D
    return mergeHeads(folded.reshape([batch, heads, time, headDim]))
  })
