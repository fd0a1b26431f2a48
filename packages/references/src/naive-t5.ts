// An independent float64 T5 forward for tests: plain loops over one sequence, written straight
// from HF modeling_t5 (T5LayerNorm, _relative_position_bucket, T5Attention without scaling,
// T5DenseActDense / T5DenseGatedActDense with gelu_new, the tied head's d_model^-0.5),
// sharing no code with @peftlab/models.
import type { T5Config } from "@peftlab/models"
import type { NaivePrefix, Weights } from "./types.ts"

type Vector = ReadonlyArray<number>

const tensor = (weights: Weights, name: string) => {
  const found = weights.get(name)
  if (!found) throw new Error(`test weights lack ${name}`)
  return found
}

/** nn.Linear without bias: W [out, in] times x [in]. */
const project = (weights: Weights, name: string, x: Vector): number[] => {
  const { shape, data } = tensor(weights, name)
  const [rows, cols] = shape as [number, number]
  const out = new Array<number>(rows).fill(0)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r]! += (data[r * cols + c] as number) * (x[c] as number)
  return out
}

/** T5LayerNorm: weight * x / sqrt(mean(x²) + eps), no mean subtracted, no bias. */
const layerNorm = (weights: Weights, name: string, x: Vector, eps: number): number[] => {
  const { data } = tensor(weights, name)
  const variance = x.reduce((s, v) => s + v * v, 0) / x.length
  return x.map((v, i) => (data[i] as number) * (v / Math.sqrt(variance + eps)))
}

/** HF's _relative_position_bucket for one relative position (memory - context). */
export const naiveBucket = (relative: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number => {
  let buckets = numBuckets
  let result = 0
  let position = relative
  if (bidirectional) {
    buckets = Math.floor(buckets / 2)
    if (position > 0) result += buckets
    position = Math.abs(position)
  } else {
    position = -Math.min(position, 0)
  }
  const maxExact = Math.floor(buckets / 2)
  if (position < maxExact) return result + position
  const large = maxExact + Math.floor((Math.log(position / maxExact) / Math.log(maxDistance / maxExact)) * (buckets - maxExact))
  return result + Math.min(large, buckets - 1)
}

const addRows = (a: ReadonlyArray<Vector>, b: ReadonlyArray<Vector>): number[][] => a.map((row, t) => row.map((v, i) => v + (b[t]![i] as number)))

interface AttentionOptions {
  /** Prefix keys and values, [head][position][d_kv], in front of the projected ones. */
  readonly past: NaivePrefix | undefined
  /** Self-attention only: the stack's relative-bias table and bucket direction. */
  readonly relative?: { readonly table: string; readonly bidirectional: boolean }
  readonly causal: boolean
}

/** T5Attention over one sequence: queries from `queries`, keys and values from `memory`. */
const attention = (c: T5Config, weights: Weights, name: string, queries: ReadonlyArray<Vector>, memory: ReadonlyArray<Vector>, options: AttentionOptions): number[][] => {
  const d = c.d_kv
  const slice = (v: Vector, h: number) => v.slice(h * d, (h + 1) * d)
  const qs = queries.map((x) => project(weights, `${name}.q.weight`, x))
  const ks = memory.map((x) => project(weights, `${name}.k.weight`, x))
  const vs = memory.map((x) => project(weights, `${name}.v.weight`, x))
  const past = options.past?.key[0]?.length ?? 0
  return qs.map((q, t) => {
    const context: number[] = []
    for (let h = 0; h < c.num_heads; h++) {
      const keys = [...(options.past?.key[h] ?? []), ...ks.map((k) => slice(k, h))]
      const values = [...(options.past?.value[h] ?? []), ...vs.map((v) => slice(v, h))]
      // Key j sits at position j, query t at past + t (HF's cache_position).
      const visible = options.causal ? past + t + 1 : keys.length
      const scores = keys.slice(0, visible).map((k, j) => {
        const dot = slice(q, h).reduce((s, qi, i) => s + qi * (k[i] as number), 0)
        if (!options.relative) return dot
        const bucket = naiveBucket(j - (past + t), options.relative.bidirectional, c.relative_attention_num_buckets, c.relative_attention_max_distance)
        return dot + (tensor(weights, options.relative.table).data[bucket * c.num_heads + h] as number)
      })
      const max = Math.max(...scores)
      const exps = scores.map((s) => Math.exp(s - max))
      const total = exps.reduce((a, b) => a + b, 0)
      for (let i = 0; i < d; i++) context.push(exps.reduce((s, e, j) => s + (e / total) * (values[j]![i] as number), 0))
    }
    return project(weights, `${name}.o.weight`, context)
  })
}

const geluNew = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))

/** T5LayerFF's residual branch for one position: norm, then DenseReluDense. */
const feedForward = (c: T5Config, weights: Weights, layer: string, x: Vector): number[] => {
  const n = layerNorm(weights, `${layer}.layer_norm.weight`, x, c.layer_norm_epsilon)
  const dense = `${layer}.DenseReluDense`
  const hidden =
    c.feed_forward_proj === "relu"
      ? project(weights, `${dense}.wi.weight`, n).map((v) => Math.max(v, 0))
      : (() => {
          const linear = project(weights, `${dense}.wi_1.weight`, n)
          return project(weights, `${dense}.wi_0.weight`, n).map((v, i) => geluNew(v) * (linear[i] as number))
        })()
  return project(weights, `${dense}.wo.weight`, hidden)
}

/** Encoder output [time][d_model] for source embeddings [time][d_model]; `prefix` per layer. */
export const naiveT5Encode = (c: T5Config, weights: Weights, embeds: ReadonlyArray<Vector>, prefix?: ReadonlyArray<NaivePrefix>): number[][] => {
  let xs = embeds.map((e) => [...e])
  for (let block = 0; block < c.num_layers; block++) {
    const layer = (i: number) => `encoder.block.${block}.layer.${i}`
    const normed = xs.map((x) => layerNorm(weights, `${layer(0)}.layer_norm.weight`, x, c.layer_norm_epsilon))
    const relative = { table: "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", bidirectional: true }
    xs = addRows(xs, attention(c, weights, `${layer(0)}.SelfAttention`, normed, normed, { past: prefix?.[block], relative, causal: false }))
    xs = addRows(xs, xs.map((x) => feedForward(c, weights, layer(1), x)))
  }
  return xs.map((x) => layerNorm(weights, "encoder.final_layer_norm.weight", x, c.layer_norm_epsilon))
}

/** Decoder logits [time][vocab] for decoder input embeddings, attending to `encoded` (one unpadded sequence). */
export const naiveT5Decode = (
  c: T5Config,
  weights: Weights,
  embeds: ReadonlyArray<Vector>,
  encoded: ReadonlyArray<Vector>,
  prefix: { readonly decoder?: ReadonlyArray<NaivePrefix>; readonly cross?: ReadonlyArray<NaivePrefix> } = {},
): number[][] => {
  let xs = embeds.map((e) => [...e])
  for (let block = 0; block < c.num_decoder_layers; block++) {
    const layer = (i: number) => `decoder.block.${block}.layer.${i}`
    const normedSelf = xs.map((x) => layerNorm(weights, `${layer(0)}.layer_norm.weight`, x, c.layer_norm_epsilon))
    const relative = { table: "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", bidirectional: false }
    xs = addRows(xs, attention(c, weights, `${layer(0)}.SelfAttention`, normedSelf, normedSelf, { past: prefix.decoder?.[block], relative, causal: true }))
    const normedCross = xs.map((x) => layerNorm(weights, `${layer(1)}.layer_norm.weight`, x, c.layer_norm_epsilon))
    xs = addRows(xs, attention(c, weights, `${layer(1)}.EncDecAttention`, normedCross, encoded, { past: prefix.cross?.[block], causal: false }))
    xs = addRows(xs, xs.map((x) => feedForward(c, weights, layer(2), x)))
  }
  const out = xs.map((x) => layerNorm(weights, "decoder.final_layer_norm.weight", x, c.layer_norm_epsilon))
  return c.tie_word_embeddings
    ? out.map((x) => project(weights, "shared.weight", x.map((v) => v * c.d_model ** -0.5)))
    : out.map((x) => project(weights, "lm_head.weight", x))
}

/** Rows of the shared embedding table for ids. */
export const sharedRows = (c: T5Config, weights: Weights, ids: ReadonlyArray<number>): number[][] => {
  const { data } = tensor(weights, "shared.weight")
  return ids.map((id) => Array.from(data.subarray(id * c.d_model, (id + 1) * c.d_model)))
}
