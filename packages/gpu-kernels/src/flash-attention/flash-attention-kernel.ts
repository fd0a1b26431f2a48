// The webgpu kernel behind flashAttention, and its gradient, composed of tfjs ops that recompute
// the softmax.
import * as tf from "@tensorflow/tfjs"
import { flatView, wgslKernel } from "../shared/kernel-path.ts"
import { type AttentionAttrs, attentionProbabilities, expandKvHeads, sumKvGroups } from "./attention-composed.ts"
import { flashAttentionProgram } from "./flash-attention-program.ts"

export const flashAttentionKernelName = "PeftlabFlashAttention"

const int = (value: number) => ({ type: "int32", data: [value] })

/** Inputs q [B, H, Tq, D], k and v [B, Hkv, Tk, D], mask [B, Tk]; attributes scale, past and causal. */
export const flashAttentionKernel: tf.KernelConfig = wgslKernel(flashAttentionKernelName, ({ q, k, v, mask }, attrs) => {
  const [batch, heads, queries, headDim] = q!.shape as [number, number, number, number]
  const [kvHeads, keys] = [k!.shape[1] as number, k!.shape[2] as number]
  const uniforms = [int(heads), int(kvHeads), int(heads / kvHeads), int(queries), int(keys), int(attrs.past as number), int(attrs.causal === true ? 1 : 0)]
  return {
    program: flashAttentionProgram(batch, heads, queries, headDim),
    inputs: [q!, k!, v!, mask!].map(flatView),
    uniforms: [...uniforms, { type: "float32", data: [attrs.scale as number] }],
  }
})

// With P = softmax(S), S = scale q kᵀ + mask (hidden keys at -inf), O = P v and dO = dy:
// dv = Pᵀ dO, dS = P (dO vᵀ - rowsum(dO ⊙ O)), dq = scale dS k, dk = scale dSᵀ q, dmask = Σ_heads,queries dS;
// k's and v's summed over the query heads that share them.
export const flashAttentionGradient: tf.GradConfig = {
  kernelName: flashAttentionKernelName,
  inputsToSave: ["q", "k", "v", "mask"],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v, mask] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor2D]
    const upstream = dy as tf.Tensor4D
    const [heads, kvHeads, scale] = [q.shape[1], k.shape[1], attrs.scale as number]
    const attention: AttentionAttrs = { scale, past: attrs.past as number, causal: attrs.causal === true }
    const probabilities = () => attentionProbabilities(q, k, mask, attention)
    const scoreGradient = () => {
      const p = probabilities()
      const dp = tf.matMul(upstream, expandKvHeads(v, heads), false, true)
      return p.mul(dp.sub(dp.mul(p).sum(-1, true))) as tf.Tensor4D
    }
    return {
      q: () => tf.matMul(scoreGradient(), expandKvHeads(k, heads)).mul(scale),
      k: () => sumKvGroups(tf.matMul(scoreGradient(), q, true, false).mul(scale) as tf.Tensor4D, kvHeads),
      v: () => sumKvGroups(tf.matMul(probabilities(), upstream, true, false), kvHeads),
      mask: () => scoreGradient().sum([1, 2]),
    }
  },
}
