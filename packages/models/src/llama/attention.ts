// Llama's self-attention: rotary positions on queries and keys (fused with the split into heads
// and, for queries, with the 1/sqrt(d) scale), then the shared attention core.
// Cached keys and values (a prefix, or earlier generation steps) come before the new ones
// through `joinPast`; they were rotated (or, for a prefix, are used as is) when cached.
import * as tf from "@tensorflow/tfjs"
import { attend, splitHeads } from "../layers/attention.ts"
import type { Linear } from "../layers/linear.ts"
import type { KeyValue } from "../model.ts"
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

/** x [b, t, hidden], positions [b, t], bias [1 or b, 1, t, keys] -> [b, t, hidden] */
export const attention = (
  x: tf.Tensor3D,
  modules: AttentionModules,
  { heads, kvHeads, headDim }: AttentionShape,
  rotary: { readonly rope: Rope; readonly positions: tf.Tensor2D },
  bias: tf.Tensor4D,
  joinPast: (current: KeyValue) => KeyValue,
): tf.Tensor3D =>
  tf.tidy(() => {
    const { rope, positions } = rotary
    const q = rope.splitHeads(modules.q.apply(x) as tf.Tensor3D, positions, heads, 1 / Math.sqrt(headDim))
    const { key, value } = joinPast({
      key: rope.splitHeads(modules.k.apply(x) as tf.Tensor3D, positions, kvHeads),
      value: splitHeads(modules.v.apply(x), kvHeads, headDim),
    })
    return modules.o.apply(attend(q, key, value, bias)) as tf.Tensor3D
  })
