// GPT-2's self-attention: one fused projection c_attn gives queries, keys and values (in that
// order along the last axis), then the shared attention core and the output projection c_proj.
// Cached or prefix keys and values come before the new ones through `joinPast`.
import * as tf from "@tensorflow/tfjs"
import { attend, splitHeads } from "../layers/attention.ts"
import type { Linear } from "../layers/linear.ts"
import type { KeyValue } from "../model.ts"

export interface AttentionModules {
  readonly cAttn: Linear
  readonly cProj: Linear
}

/** x [b, t, hidden], bias [1 or b, 1, t, keys] -> [b, t, hidden] */
export const attention = (
  x: tf.Tensor3D,
  { cAttn, cProj }: AttentionModules,
  { heads, headDim }: { readonly heads: number; readonly headDim: number },
  bias: tf.Tensor4D,
  joinPast: (current: KeyValue) => KeyValue,
): tf.Tensor3D =>
  tf.tidy(() => {
    const [q, k, v] = tf.split(cAttn.apply(x), 3, -1).map((t) => splitHeads(t, heads, headDim)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
    const { key, value } = joinPast({ key: k, value: v })
    // scale_attn_weights: scores divided by sqrt(head_dim).
    return cProj.apply(attend(q.mul(1 / Math.sqrt(headDim)), key, value, bias)) as tf.Tensor3D
  })
