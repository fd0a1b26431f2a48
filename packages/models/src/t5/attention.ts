// T5Attention: softmax(q kᵀ + bias) v, then the output projection. No 1/sqrt(d_kv) scaling
// (T5 folds it into the query weights' initialization). Self-attention and cross-attention
// differ only in where the keys and values come from, so projecting them is separate.
import * as tf from "@tensorflow/tfjs"
import { attend, splitHeads } from "../layers/attention.ts"
import type { Linear } from "../layers/linear.ts"
import type { KeyValue } from "../model.ts"

export interface AttentionModules {
  readonly q: Linear
  readonly k: Linear
  readonly v: Linear
  readonly o: Linear
}

export interface HeadShape {
  readonly heads: number
  readonly headDim: number
}

/** Keys and values [b, heads, s, d_kv] of x [b, s, hidden]. */
export const projectKeyValue = (x: tf.Tensor3D, { k, v }: AttentionModules, { heads, headDim }: HeadShape): KeyValue => ({
  key: splitHeads(k.apply(x), heads, headDim),
  value: splitHeads(v.apply(x), heads, headDim),
})

/** x [b, t, hidden] attends to keyValue; bias broadcasts to [b, heads, t, keys] (masking and position bias). */
export const t5Attention = (x: tf.Tensor3D, modules: AttentionModules, shape: HeadShape, keyValue: KeyValue, bias: tf.Tensor4D): tf.Tensor3D =>
  tf.tidy(() => modules.o.apply(attend(splitHeads(modules.q.apply(x), shape.heads, shape.headDim), keyValue.key, keyValue.value, bias)) as tf.Tensor3D)
