// Grouped-query self-attention. Each key/value head serves `groups` consecutive query heads
// (HF's repeat_kv order), so instead of copying K and V per query head we fold the group
// into the query time axis: Q [b, kv, groups*t, d] against K [b, kv, t, d] is one batched matmul.
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "./linear.ts"
import type { Rope } from "./rope.ts"

export interface AttentionModules {
  readonly q: Linear
  readonly k: Linear
  readonly v: Linear
  readonly o: Linear
}

export interface AttentionShape {
  readonly heads: number
  readonly kvHeads: number
  readonly headDim: number
}

/** [b, t, heads*d] -> [b, heads, t, d] */
const splitHeads = (x: tf.Tensor, heads: number, headDim: number): tf.Tensor4D => {
  const [batch, time] = x.shape as [number, number]
  return x.reshape([batch, time, heads, headDim]).transpose([0, 2, 1, 3])
}

/** x [b, t, hidden], bias [1 or b, 1, t, t] (see attentionBias) -> [b, t, hidden] */
export const attention = (
  x: tf.Tensor3D,
  modules: AttentionModules,
  { heads, kvHeads, headDim }: AttentionShape,
  rope: Rope,
  bias: tf.Tensor4D,
): tf.Tensor3D =>
  tf.tidy(() => {
    const [batch, time] = x.shape
    const groups = heads / kvHeads
    const q = rope.apply(splitHeads(modules.q.apply(x), heads, headDim)).mul(1 / Math.sqrt(headDim))
    const k = rope.apply(splitHeads(modules.k.apply(x), kvHeads, headDim))
    const v = splitHeads(modules.v.apply(x), kvHeads, headDim)
    const scores = tf
      .matMul(q.reshape([batch, kvHeads, groups * time, headDim]), k, false, true)
      .reshape([batch, heads, time, time])
      .add(bias)
    const probabilities = tf.softmax(scores).reshape([batch, kvHeads, groups * time, time])
    const context = tf
      .matMul(probabilities, v)
      .reshape([batch, heads, time, headDim])
      .transpose([0, 2, 1, 3])
      .reshape([batch, time, heads * headDim])
    return modules.o.apply(context) as tf.Tensor3D
  })
