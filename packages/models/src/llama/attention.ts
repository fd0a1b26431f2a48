// Grouped-query self-attention. Each key/value head serves `groups` consecutive query heads
// (HF's repeat_kv order), so instead of copying K and V per query head we fold the group
// into the query time axis: Q [b, kv, groups*t, d] against K [b, kv, t, d] is one batched matmul.
// A prefix (prefix tuning's per-layer keys and values, HF's past_key_values) is prepended to K
// and V as already-rotated cache entries, and the real tokens' positions start after it.
import * as tf from "@tensorflow/tfjs"
import type { KeyValuePrefix } from "../causal-lm.ts"
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

/** x [b, t, hidden], bias [1 or b, 1, t, p + t] (see attentionBias) with p prefix positions -> [b, t, hidden] */
export const attention = (
  x: tf.Tensor3D,
  modules: AttentionModules,
  { heads, kvHeads, headDim }: AttentionShape,
  rope: Rope,
  bias: tf.Tensor4D,
  prefix?: KeyValuePrefix,
): tf.Tensor3D =>
  tf.tidy(() => {
    const [batch, time] = x.shape
    const groups = heads / kvHeads
    const past = prefix ? prefix.key.shape[2] : 0
    const withPrefix = (t: tf.Tensor4D, cached: tf.Tensor4D | undefined): tf.Tensor4D => (cached ? tf.concat([cached, t], 2) : t)
    const q = rope.apply(splitHeads(modules.q.apply(x), heads, headDim), past).mul(1 / Math.sqrt(headDim))
    const k = withPrefix(rope.apply(splitHeads(modules.k.apply(x), kvHeads, headDim), past), prefix?.key)
    const v = withPrefix(splitHeads(modules.v.apply(x), kvHeads, headDim), prefix?.value)
    const keys = past + time
    const scores = tf
      .matMul(q.reshape([batch, kvHeads, groups * time, headDim]), k, false, true)
      .reshape([batch, heads, time, keys])
      .add(bias)
    const probabilities = tf.softmax(scores).reshape([batch, kvHeads, groups * time, keys])
    const context = tf
      .matMul(probabilities, v)
      .reshape([batch, heads, time, headDim])
      .transpose([0, 2, 1, 3])
      .reshape([batch, time, heads * headDim])
    return modules.o.apply(context) as tf.Tensor3D
  })
