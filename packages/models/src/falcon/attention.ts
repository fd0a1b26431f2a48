// Falcon's self-attention: one fused query_key_value projection, split as the config lays it out
// (FalconQkvLayout), rotary positions on queries and keys unless the model uses ALiBi (whose bias
// then comes in with the mask), the shared attention core, and the output projection `dense`.
// Cached or prefix keys and values come before the new ones through `joinPast`.
import * as tf from "@tensorflow/tfjs"
import { attend } from "../layers/attention.ts"
import type { Linear } from "../layers/linear.ts"
import type { KeyValue } from "../model.ts"
import type { Rope } from "../llama/rope.ts"
import type { FalconQkvLayout } from "./config.ts"

export interface AttentionShape {
  readonly heads: number
  readonly kvHeads: number
  readonly headDim: number
  readonly layout: FalconQkvLayout
}

/** fused [b, t, (heads + 2 kvHeads) headDim] -> q [b, heads, t, d], k and v [b, kvHeads, t, d]. */
const splitFused = (fused: tf.Tensor, { heads, kvHeads, headDim, layout }: AttentionShape): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] => {
  const [batch, time] = fused.shape as [number, number]
  const toHeads = (x: tf.Tensor, count: number) => x.reshape([batch, time, count, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D
  if (layout === "interleaved") {
    // [b, t, heads, 3, d]: head by head, its query, key and value.
    const [q, k, v] = tf.split(fused.reshape([batch, time, heads, 3 * headDim]), 3, -1)
    return [toHeads(q!, heads), toHeads(k!, heads), toHeads(v!, heads)]
  }
  if (layout === "multi-query") {
    const [q, k, v] = tf.split(fused, [heads * headDim, headDim, headDim], -1)
    return [toHeads(q!, heads), toHeads(k!, 1), toHeads(v!, 1)]
  }
  // [b, t, kvHeads, groups + 2, d]: group by group, its query heads, then its key and its value;
  // query head kv * groups + j reads key/value head kv, the order of the shared attention core.
  const groups = heads / kvHeads
  const [q, k, v] = tf.split(fused.reshape([batch, time, kvHeads, (groups + 2) * headDim]), [groups * headDim, headDim, headDim], -1)
  return [toHeads(q!, heads), toHeads(k!, kvHeads), toHeads(v!, kvHeads)]
}

/** x [b, t, hidden], bias [1 or b, 1 or heads, t, keys] (mask, and ALiBi's) -> [b, t, hidden] */
export const attention = (
  x: tf.Tensor3D,
  modules: { readonly queryKeyValue: Linear; readonly dense: Linear },
  shape: AttentionShape,
  rotary: { readonly rope: Rope; readonly positions: tf.Tensor2D } | undefined,
  bias: tf.Tensor4D,
  joinPast: (current: KeyValue) => KeyValue,
): tf.Tensor3D =>
  tf.tidy(() => {
    const [q, k, v] = splitFused(modules.queryKeyValue.apply(x), shape)
    const rotate = (t: tf.Tensor4D) => (rotary ? rotary.rope.apply(t, rotary.positions) : t)
    const { key, value } = joinPast({ key: rotate(k), value: v })
    return modules.dense.apply(attend(rotate(q).mul(1 / Math.sqrt(shape.headDim)), key, value, bias)) as tf.Tensor3D
  })
