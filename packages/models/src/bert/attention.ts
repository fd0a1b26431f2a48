// BERT's self-attention (BertSelfAttention): queries, keys and values with biases, scaled by
// 1/sqrt(headDim), every query attending to every unmasked key; prefix keys and values (HF's
// past_key_values) come first through `joinPast`.
import * as tf from "@tensorflow/tfjs"
import { attend, splitHeads } from "../layers/attention.ts"
import type { Linear } from "../layers/linear.ts"
import type { KeyValue } from "../model.ts"

export interface SelfAttentionModules {
  readonly query: Linear
  readonly key: Linear
  readonly value: Linear
}

/** x [b, t, hidden], bias [b, 1, t, keys] -> the heads' merged output [b, t, hidden], before attention.output.dense. */
export const selfAttention = (
  x: tf.Tensor3D,
  modules: SelfAttentionModules,
  { heads, headDim }: { readonly heads: number; readonly headDim: number },
  bias: tf.Tensor4D,
  joinPast: (current: KeyValue) => KeyValue,
): tf.Tensor3D =>
  tf.tidy(() => {
    const q = splitHeads(modules.query.apply(x), heads, headDim).mul(1 / Math.sqrt(headDim)) as tf.Tensor4D
    const { key, value } = joinPast({ key: splitHeads(modules.key.apply(x), heads, headDim), value: splitHeads(modules.value.apply(x), heads, headDim) })
    return attend(q, key, value, bias)
  })
