// naiveBucket against hand-worked buckets of HF's _relative_position_bucket, and the T5
// forwards on a toy config (d_model 2, one head of 2, d_ff 1) with hand-picked weights.
import type { T5Config } from "@peftlab/models"
import { describe, expect, it } from "vitest"
import { naiveBucket, naiveT5Decode, naiveT5Encode } from "../src/index.ts"
import { expectClose, geluNewOfOne, toyWeights, zeros } from "./toy-weights.ts"

const toy: T5Config = {
  d_model: 2,
  d_kv: 2,
  d_ff: 1,
  num_layers: 1,
  num_decoder_layers: 1,
  num_heads: 1,
  relative_attention_num_buckets: 4,
  relative_attention_max_distance: 8,
  layer_norm_epsilon: 0,
  feed_forward_proj: "gated-gelu",
  tie_word_embeddings: true,
  vocab_size: 2,
  pad_token_id: 0,
  eos_token_ids: [],
  decoder_start_token_id: 0,
}

const identity = [
  [1, 0],
  [0, 1],
]

/** T5Attention's four projections, each `matrix`. */
const attentionWeights = (name: string, matrix: number[][]) =>
  Object.fromEntries(["q", "k", "v", "o"].map((p) => [`${name}.${p}.weight`, matrix]))

/** T5DenseGatedActDense: wi_0 picks x0 for gelu_new, wi_1 sums x for the linear gate, wo writes to the first coordinate. */
const gatedFeedForward = (layer: string, wo: number[][]) => ({
  [`${layer}.layer_norm.weight`]: [1, 1],
  [`${layer}.DenseReluDense.wi_0.weight`]: [[1, 0]],
  [`${layer}.DenseReluDense.wi_1.weight`]: [[1, 1]],
  [`${layer}.DenseReluDense.wo.weight`]: wo,
})

/** The vector over its root mean square: T5LayerNorm with weight 1 and eps 0. */
const overRms = (h: ReadonlyArray<number>): number[] => h.map((v) => v / Math.sqrt((h[0]! ** 2 + h[1]! ** 2) / 2))

describe("naiveBucket", () => {
  // 32 buckets up to distance 128 (T5's defaults). Bidirectional: 16 per direction, exact below 8,
  // then 8 + floor(ln(n / 8) / ln(128 / 8) * 8) capped at 15, later keys offset by 16.
  it.each([
    [0, 0],
    [-1, 1],
    [1, 17],
    [-7, 7],
    [-8, 8],
    [-20, 10], // 8 + floor(ln 2.5 / ln 16 * 8 = 2.64)
    [-200, 15], // 8 + floor(9.29) = 17, capped
    [200, 31],
  ])("bidirectional: relative position %i is bucket %i", (relative, bucket) => {
    expect(naiveBucket(relative, true, 32, 128)).toBe(bucket)
  })

  // Unidirectional: later keys all share bucket 0; earlier ones exact below 16, then
  // 16 + floor(ln(n / 16) / ln(128 / 16) * 16) capped at 31.
  it.each([
    [3, 0],
    [-3, 3],
    [-15, 15],
    [-16, 16],
    [-40, 23], // 16 + floor(ln 2.5 / ln 8 * 16 = 7.05)
    [-1000, 31],
  ])("unidirectional: relative position %i is bucket %i", (relative, bucket) => {
    expect(naiveBucket(relative, false, 32, 128)).toBe(bucket)
  })
})

describe("naiveT5Encode", () => {
  it("adds the relative-position bias to unscaled scores and normalises by root mean square without centring", () => {
    const block = "encoder.block.0.layer"
    const weights = toyWeights({
      [`${block}.0.layer_norm.weight`]: [1, 1],
      ...attentionWeights(`${block}.0.SelfAttention`, identity),
      // 4 buckets, bidirectional: relative 0 -> bucket 0, -1 -> bucket 1, +1 -> bucket 3.
      [`${block}.0.SelfAttention.relative_attention_bias.weight`]: [[0], [2], [0], [1]],
      ...gatedFeedForward(`${block}.1`, zeros(2, 1)),
      "encoder.final_layer_norm.weight": [1, 1],
    })
    // x0 = [1, 1] and x1 = [1, -1] have mean square 1. Token 0's scores: x0.x0 + 0 = 2 and
    // x0.x1 + 1 = 1, so h0 = x0 + (e x0 + x1) / (e + 1) = [2, 2e / (e + 1)]; token 1's: x1.x0 + 2
    // and x1.x1 + 0, equal, so h1 = x1 + (x0 + x1) / 2 = [2, -1].
    const encoded = naiveT5Encode(toy, weights, [
      [1, 1],
      [1, -1],
    ])
    expectClose(encoded, [overRms([2, (2 * Math.E) / (Math.E + 1)]), overRms([2, -1])])
  })
})

describe("naiveT5Decode", () => {
  it("adds gated-gelu's wo(gelu_new(wi_0 x) * wi_1 x) and scales the tied head's input by d_model^-0.5", () => {
    const block = "decoder.block.0.layer"
    const weights = toyWeights({
      [`${block}.0.layer_norm.weight`]: [1, 1],
      ...attentionWeights(`${block}.0.SelfAttention`, zeros(2, 2)),
      [`${block}.0.SelfAttention.relative_attention_bias.weight`]: [[0], [0], [0], [0]],
      [`${block}.1.layer_norm.weight`]: [1, 1],
      ...attentionWeights(`${block}.1.EncDecAttention`, zeros(2, 2)),
      ...gatedFeedForward(`${block}.2`, [[1], [0]]),
      "decoder.final_layer_norm.weight": [1, 1],
      "shared.weight": identity,
    })
    // Both attentions write zeros; x = [1, 1] is its own norm: gelu_new(1) * 2 goes to the first coordinate.
    const h = [1 + 2 * geluNewOfOne, 1]
    const logits = naiveT5Decode(toy, weights, [[1, 1]], [[0, 0]])
    expectClose(logits, [overRms(h).map((v) => v / Math.SQRT2)])
  })
})
