// An independent float64 Falcon forward for tests: plain loops over one unpadded sequence,
// written straight from HF modeling_falcon's formulas (build_alibi_tensor with its bfloat16
// slopes and products, FalconAttention._split_heads for each fused layout, rotary embeddings
// otherwise, FalconDecoderLayer's sequential and parallel forms, exact gelu), sharing no code
// with @peftlab/models.
import type { FalconConfig } from "@peftlab/models"
import { erf, get, layerNorm, project, rope } from "./naive-ops.ts"
import type { Weights } from "./types.ts"

/** Round to bfloat16, to nearest with ties to even, by the float32 bits. */
const bfloat16 = (x: number): number => {
  const view = new DataView(new ArrayBuffer(4))
  view.setFloat32(0, x)
  const bits = view.getUint32(0)
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000
  view.setUint32(0, rounded >>> 0)
  return view.getFloat32(0)
}

const slopes = (heads: number): number[] => {
  const closest = 2 ** Math.floor(Math.log2(heads))
  const power = (base: number, exponent: number) => Math.fround(Math.fround(base) ** exponent)
  const base = 2 ** -(2 ** -(Math.log2(closest) - 3))
  const extra = 2 ** -(2 ** -(Math.log2(2 * closest) - 3))
  return Array.from({ length: heads }, (_, h) => (h < closest ? power(base, h + 1) : power(extra, 2 * (h - closest) + 1)))
}

/** Per position, that position's [head][d] queries, keys and values, split from query_key_value's output. */
const splitFused = (c: FalconConfig, fused: ReadonlyArray<number>) => {
  const d = c.head_dim
  const head = (offset: number) => fused.slice(offset * d, (offset + 1) * d)
  const groups = c.num_attention_heads / c.num_key_value_heads
  switch (c.qkvLayout) {
    case "interleaved":
      return { q: (h: number) => head(3 * h), k: (h: number) => head(3 * h + 1), v: (h: number) => head(3 * h + 2) }
    case "multi-query":
      return { q: (h: number) => head(h), k: () => head(c.num_attention_heads), v: () => head(c.num_attention_heads + 1) }
    case "grouped": {
      const group = (h: number) => Math.floor(h / groups) * (groups + 2)
      return { q: (h: number) => head(group(h) + (h % groups)), k: (h: number) => head(group(h) + groups), v: (h: number) => head(group(h) + groups + 1) }
    }
  }
}

/** Logits [time][vocab] for one sequence of token embeddings [time][hidden], at positions 0 .. time-1. */
export const naiveFalconLogits = (c: FalconConfig, weights: Weights, embeds: ReadonlyArray<ReadonlyArray<number>>): number[][] => {
  const d = c.head_dim
  const slope = slopes(c.num_attention_heads).map(bfloat16)
  const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2))
  const add = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => a.map((v, i) => v + (b[i] as number))
  let xs = embeds.map((x) => [...x])
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const p = `transformer.h.${layer}`
    const norm = (name: string, x: ReadonlyArray<number>) => layerNorm(weights, `${p}.${name}`, x, c.layer_norm_epsilon)
    const attentionInput = xs.map((x) => norm(c.layerForm === "parallel-two-norms" ? "ln_attn" : "input_layernorm", x))
    const split = attentionInput.map((x) => splitFused(c, project(weights, `${p}.self_attention.query_key_value`, x)))
    const rotated = (v: ReadonlyArray<number>, t: number) => (c.alibi ? v : rope(v, t, c.rope_theta))
    const attended = xs.map((_, t) => {
      const merged: number[] = []
      for (let h = 0; h < c.num_attention_heads; h++) {
        const q = rotated(split[t]!.q(h), t)
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          const k = rotated(split[s]!.k(h), s)
          const alibi = c.alibi ? bfloat16(slope[h]! * bfloat16(s)) : 0
          return (q.reduce((sum, qi, i) => sum + qi * (k[i] as number), 0) + alibi) / Math.sqrt(d)
        })
        const max = Math.max(...scores)
        const exps = scores.map((s) => Math.exp(s - max))
        const total = exps.reduce((a, b) => a + b, 0)
        for (let i = 0; i < d; i++) merged.push(exps.reduce((sum, e, s) => sum + (e / total) * (split[s]!.v(h)[i] as number), 0))
      }
      return project(weights, `${p}.self_attention.dense`, merged)
    })
    const feedForward = (x: ReadonlyArray<number>) => project(weights, `${p}.mlp.dense_4h_to_h`, project(weights, `${p}.mlp.dense_h_to_4h`, x).map(gelu))
    xs = xs.map((x, t) => {
      if (c.layerForm === "sequential") {
        const residual = add(x, attended[t]!)
        return add(residual, feedForward(norm("post_attention_layernorm", residual)))
      }
      const mlpInput = c.layerForm === "parallel" ? attentionInput[t]! : norm("ln_mlp", x)
      return add(x, add(feedForward(mlpInput), attended[t]!))
    })
  }
  const head = get(weights, c.tie_word_embeddings ? "transformer.word_embeddings.weight" : "lm_head.weight")
  return xs.map((x) => {
    const normed = layerNorm(weights, "transformer.ln_f", x, c.layer_norm_epsilon)
    return Array.from({ length: c.vocab_size }, (_, v) => {
      let sum = 0
      for (let i = 0; i < c.hidden_size; i++) sum += (normed[i] as number) * (head.data[v * c.hidden_size + i] as number)
      return sum
    })
  })
}
