import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { flashAttentionWgsl, queryRowsPerGroup } from "./flash-attention.wgsl.ts"

/** Attention output [batch, heads, queries, headDim]; one shader per head size. */
export const flashAttentionProgram = (batch: number, heads: number, queries: number, headDim: number): WebGPUProgram => ({
  variableNames: ["q", "k", "v", "mask"],
  outputShape: [batch, heads, queries, headDim],
  shaderKey: `peftlabFlashAttention_${headDim}`,
  // Not flat: tfjs then calls main() without an index, and the shader reads workgroupId itself.
  dispatchLayout: { x: [2], y: [1], z: [0] },
  dispatch: [Math.ceil(queries / queryRowsPerGroup), heads, batch],
  workgroupSize: [queryRowsPerGroup, 1, 1],
  uniforms: "heads : i32, kvHeads : i32, groupSize : i32, queries : i32, keys : i32, past : i32, causal : i32, scale : f32,",
  getUserCode: () => flashAttentionWgsl(headDim),
})
