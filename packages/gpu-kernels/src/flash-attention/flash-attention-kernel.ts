// The webgpu kernel behind flashAttention, and its gradient: the backend's own gradient kernel
// where it has one (the wasm plugin's C kernel, by the name below, on the log-sum-exp per query row
// its forward kernel returns as a second output), else composed tfjs ops that recompute the softmax.
import * as tf from "@tensorflow/tfjs"
import { flatView, runKernels, usesFusedKernel, wgslKernel } from "../shared/kernel-path.ts"
import { type AttentionAttrs, attentionProbabilities, expandKvHeads, sumKvGroups } from "./attention-composed.ts"
import { flashAttentionProgram } from "./flash-attention-program.ts"

export const flashAttentionKernelName = "PeftlabFlashAttention"
/**
 * Inputs dy, q, k, v, mask, output and logSumExp [B, H, Tq] (the forward kernel's two outputs);
 * attributes scale, past and causal; outputs dq, dk, dv and dmask. No WGSL kernel (yet).
 */
export const flashAttentionGradKernelName = "PeftlabFlashAttentionGrad"

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
  // The output and log-sum-exp where the forward kernel returns both (wasm); the output alone elsewhere.
  outputsToSave: [true, true],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v, mask, output, logSumExp] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor2D, tf.Tensor4D, tf.Tensor3D | undefined]
    // With two outputs, tfjs passes one gradient per output: the log-sum-exp's is unused zeros.
    const upstream = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor4D
    if (logSumExp !== undefined && usesFusedKernel(flashAttentionGradKernelName)) {
      const [dq, dk, dv, dMask] = runKernels(flashAttentionGradKernelName, { dy: upstream, q, k, v, mask, output, logSumExp }, attrs)
      return { q: () => dq!, k: () => dk!, v: () => dv!, mask: () => dMask! }
    }
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
