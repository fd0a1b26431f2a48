// An independent float64 BERT forward for tests: plain loops over one unpadded sequence,
// written straight from HF modeling_bert's formulas (BertEmbeddings, BertSelfAttention,
// BertSelfOutput, BertIntermediate, BertOutput, BertPooler), and from modeling_megatron_bert's
// for Megatron-BERT (no embedding LayerNorm; attention.ln and ln before attention and the
// feed-forward; encoder.ln after the last layer), sharing no code with @peftlab/models.
import type { BertConfig } from "@peftlab/models"
import { erf } from "./naive-ops.ts"
import type { NaivePrefix, Weights } from "./types.ts"

const get = (weights: Weights, name: string) => {
  const w = weights.get(name)
  if (!w) throw new Error(`test weights lack ${name}`)
  return w
}

/** nn.Linear: W [out, in] x + b. */
const dense = (weights: Weights, module: string, x: ReadonlyArray<number>): number[] => {
  const { shape, data } = get(weights, `${module}.weight`)
  const bias = get(weights, `${module}.bias`).data
  const [rows, cols] = shape as [number, number]
  return Array.from({ length: rows }, (_, r) => {
    let sum = bias[r] as number
    for (let c = 0; c < cols; c++) sum += (data[r * cols + c] as number) * (x[c] as number)
    return sum
  })
}

const layerNorm = (weights: Weights, module: string, x: ReadonlyArray<number>, eps: number): number[] => {
  const mean = x.reduce((s, v) => s + v, 0) / x.length
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length
  const gain = get(weights, `${module}.weight`).data
  const shift = get(weights, `${module}.bias`).data
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * (gain[i] as number) + (shift[i] as number))
}

const row = (weights: Weights, name: string, index: number): number[] => {
  const { shape, data } = get(weights, name)
  const width = shape[1] as number
  return Array.from(data.subarray(index * width, (index + 1) * width))
}

const activation: Record<BertConfig["hidden_act"], (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  relu: (x) => Math.max(0, x),
}

export interface NaiveBertInput {
  /** Word-embedding rows [time][hidden]. */
  readonly embeds: ReadonlyArray<ReadonlyArray<number>>
  /** Segment id of each token; 0 when absent. */
  readonly tokenTypes?: ReadonlyArray<number>
  /** Per layer: keys and values every token also attends to (HF past_key_values); positions then start at their length. */
  readonly prefix?: ReadonlyArray<NaivePrefix>
}

/** Last hidden states [time][hidden] and, when the weights have a pooler, the pooled output [hidden]. */
export const naiveBert = (c: BertConfig, weights: Weights, { embeds, tokenTypes, prefix }: NaiveBertInput): { hidden: number[][]; pooled?: number[] } => {
  const d = c.head_dim
  const past = prefix?.[0]?.key[0]?.length ?? 0
  const megatron = c.model_type === "megatron-bert"
  let xs = embeds.map((e, t) => {
    const position = row(weights, "bert.embeddings.position_embeddings.weight", past + t)
    const type = row(weights, "bert.embeddings.token_type_embeddings.weight", tokenTypes?.[t] ?? 0)
    const summed = e.map((v, i) => v + (position[i] as number) + (type[i] as number))
    return megatron ? summed : layerNorm(weights, "bert.embeddings.LayerNorm", summed, c.layer_norm_eps)
  })
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const p = `bert.encoder.layer.${layer}`
    const head = (vec: number[], h: number) => vec.slice(h * d, (h + 1) * d)
    // Megatron: the attention sees LayerNorm(x); the residual adds to x itself.
    const attentionInput = megatron ? xs.map((x) => layerNorm(weights, `${p}.attention.ln`, x, c.layer_norm_eps)) : xs
    const qs = attentionInput.map((x) => dense(weights, `${p}.attention.self.query`, x))
    const ks = attentionInput.map((x) => dense(weights, `${p}.attention.self.key`, x))
    const vs = attentionInput.map((x) => dense(weights, `${p}.attention.self.value`, x))
    const context = xs.map((_, t) => {
      const out: number[] = []
      for (let h = 0; h < c.num_attention_heads; h++) {
        const q = head(qs[t]!, h)
        const keys = [...(prefix?.[layer]?.key[h] ?? []), ...ks.map((k) => head(k, h))]
        const values = [...(prefix?.[layer]?.value[h] ?? []), ...vs.map((v) => head(v, h))]
        const scores = keys.map((k) => q.reduce((sum, qi, i) => sum + qi * (k[i] as number), 0) / Math.sqrt(d))
        const max = Math.max(...scores)
        const exps = scores.map((s) => Math.exp(s - max))
        const total = exps.reduce((a, b) => a + b, 0)
        for (let i = 0; i < d; i++) out.push(exps.reduce((sum, e, s) => sum + (e / total) * (values[s]![i] as number), 0))
      }
      return out
    })
    xs = xs.map((x, t) => {
      const projected = dense(weights, `${p}.attention.output.dense`, context[t]!)
      const sum = x.map((v, i) => v + (projected[i] as number))
      return megatron ? sum : layerNorm(weights, `${p}.attention.output.LayerNorm`, sum, c.layer_norm_eps)
    })
    xs = xs.map((x) => {
      const inner = dense(weights, `${p}.intermediate.dense`, megatron ? layerNorm(weights, `${p}.ln`, x, c.layer_norm_eps) : x).map(activation[c.hidden_act])
      const out = dense(weights, `${p}.output.dense`, inner)
      const sum = x.map((v, i) => v + (out[i] as number))
      return megatron ? sum : layerNorm(weights, `${p}.output.LayerNorm`, sum, c.layer_norm_eps)
    })
  }
  if (megatron) xs = xs.map((x) => layerNorm(weights, "bert.encoder.ln", x, c.layer_norm_eps))
  const hasPooler = weights.has("bert.pooler.dense.weight")
  return { hidden: xs, ...(hasPooler && { pooled: dense(weights, "bert.pooler.dense", xs[0]!).map(Math.tanh) }) }
}
