// Falcon's self-attention: one fused query_key_value projection, split as the config lays it out
// (FalconQkvLayout), rotary positions on queries and keys (fused with the split into heads) unless
// the model uses ALiBi (whose bias then comes in with the mask), the shared attention core, and
// the output projection `dense`.
// Cached or prefix keys and values come before the new ones through `joinPast`.
import * as tf from "@tensorflow/tfjs"
import { attend, splitHeads } from "../layers/attention.ts"
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

/** One projection's output [b, t, heads·headDim] and its head count. */
interface Projected {
  readonly x: tf.Tensor3D
  readonly heads: number
}

/** fused [b, t, (heads + 2 kvHeads) headDim] -> q [b, t, heads·d], k and v [b, t, kvHeads·d] (heads as laid out). */
const splitFused = (fused: tf.Tensor, { heads, kvHeads, headDim, layout }: AttentionShape): [Projected, Projected, Projected] => {
  const [batch, time] = fused.shape as [number, number]
  const projected = (x: tf.Tensor, count: number): Projected => ({ x: x.reshape([batch, time, count * headDim]), heads: count })
  if (layout === "interleaved") {
    // [b, t, heads, 3, d]: head by head, its query, key and value.
    const [q, k, v] = tf.split(fused.reshape([batch, time, heads, 3 * headDim]), 3, -1)
    return [projected(q!, heads), projected(k!, heads), projected(v!, heads)]
  }
  if (layout === "multi-query") {
    const [q, k, v] = tf.split(fused, [heads * headDim, headDim, headDim], -1)
    return [projected(q!, heads), projected(k!, 1), projected(v!, 1)]
  }
  // [b, t, kvHeads, groups + 2, d]: group by group, its query heads, then its key and its value;
  // query head kv * groups + j reads key/value head kv, the order of the shared attention core.
  const groups = heads / kvHeads
  const [q, k, v] = tf.split(fused.reshape([batch, time, kvHeads, (groups + 2) * headDim]), [groups * headDim, headDim, headDim], -1)
  return [projected(q!, heads), projected(k!, kvHeads), projected(v!, kvHeads)]
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
    // Rotated (where the model uses rotary positions) as they are split into heads.
    const toHeads = ({ x: projection, heads }: Projected, scale = 1): tf.Tensor4D => {
      if (rotary) return rotary.rope.splitHeads(projection, rotary.positions, heads, scale)
      const split = splitHeads(projection, heads, shape.headDim)
      return scale === 1 ? split : split.mul(scale)
    }
    const { key, value } = joinPast({ key: toHeads(k), value: splitHeads(v.x, v.heads, shape.headDim) })
    return modules.dense.apply(attend(toHeads(q, 1 / Math.sqrt(shape.headDim)), key, value, bias)) as tf.Tensor3D
  })
