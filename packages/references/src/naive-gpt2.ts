// An independent float64 GPT-2 forward for tests: plain loops over one sequence, written
// straight from the HF modeling_gpt2 formulas (wte + wpe, pre-norm blocks, Conv1D as x W + b
// with W [in, out], fused c_attn split into q | k | v, scores / sqrt(head_dim), gelu_new,
// ln_f, tied or untied head), sharing no code with @peftlab/models.
import type { Gpt2Config } from "@peftlab/models"
import { layerNorm } from "./naive-ops.ts"
import type { NaivePrefix, Weights } from "./types.ts"

const get = (weights: Weights, name: string) => {
  const w = weights.get(name)
  if (!w) throw new Error(`test weights lack ${name}`)
  return w
}

const row = (weights: Weights, name: string, index: number): number[] => {
  const { shape, data } = get(weights, name)
  const width = shape[1] as number
  return Array.from(data.subarray(index * width, (index + 1) * width))
}

/** Conv1D: x [in] times W [in, out], plus b [out]. */
const conv1D = (weights: Weights, module: string, x: ReadonlyArray<number>): number[] => {
  const { shape, data } = get(weights, `${module}.weight`)
  const bias = get(weights, `${module}.bias`).data
  const [inputs, outputs] = shape as [number, number]
  return Array.from({ length: outputs }, (_, o) => {
    let sum = bias[o] as number
    for (let i = 0; i < inputs; i++) sum += (x[i] as number) * (data[i * outputs + o] as number)
    return sum
  })
}

const geluNew = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))

/** The token embeddings (wte rows) of `ids`, as naiveGpt2Logits takes them. */
export const tokenRows = (weights: Weights, ids: ReadonlyArray<number>): number[][] => ids.map((id) => row(weights, "transformer.wte.weight", id))

/**
 * Logits [time][vocab] for one unpadded sequence of token embeddings [time][hidden]. With
 * `prefix` (one entry per layer, [head][virtual][headDim]), every token also attends to the
 * prefix, and token t sits at position p + t.
 */
export const naiveGpt2Logits = (
  c: Gpt2Config,
  weights: Weights,
  embeds: ReadonlyArray<ReadonlyArray<number>>,
  prefix?: ReadonlyArray<NaivePrefix>,
): number[][] => {
  const hidden = c.n_embd
  const d = hidden / c.n_head
  const past = prefix?.[0]?.key[0]?.length ?? 0
  let xs = embeds.map((token, t) => {
    const position = row(weights, "transformer.wpe.weight", past + t)
    return token.map((v, i) => v + (position[i] as number))
  })
  for (let layer = 0; layer < c.n_layer; layer++) {
    const p = `transformer.h.${layer}`
    const qkv = xs.map((x) => conv1D(weights, `${p}.attn.c_attn`, layerNorm(weights, `${p}.ln_1`, x, c.layer_norm_epsilon)))
    // c_attn's output is [q | k | v], each split into heads of d consecutive values.
    const part = (t: number, which: number, h: number) => (qkv[t] as number[]).slice(which * hidden + h * d, which * hidden + (h + 1) * d)
    const attended = xs.map((_, t) => {
      const merged: number[] = []
      for (let h = 0; h < c.n_head; h++) {
        const q = part(t, 0, h)
        const keys = [...(prefix?.[layer]?.key[h] ?? []), ...Array.from({ length: t + 1 }, (_, s) => part(s, 1, h))]
        const values = [...(prefix?.[layer]?.value[h] ?? []), ...Array.from({ length: t + 1 }, (_, s) => part(s, 2, h))]
        const scores = keys.map((k) => q.reduce((sum, qi, i) => sum + qi * (k[i] as number), 0) / Math.sqrt(d))
        const max = Math.max(...scores)
        const exps = scores.map((s) => Math.exp(s - max))
        const total = exps.reduce((a, b) => a + b, 0)
        for (let i = 0; i < d; i++) merged.push(exps.reduce((sum, e, s) => sum + (e / total) * (values[s]![i] as number), 0))
      }
      return conv1D(weights, `${p}.attn.c_proj`, merged)
    })
    xs = xs.map((x, t) => x.map((v, i) => v + (attended[t]![i] as number)))
    xs = xs.map((x) => {
      const inner = conv1D(weights, `${p}.mlp.c_fc`, layerNorm(weights, `${p}.ln_2`, x, c.layer_norm_epsilon)).map(geluNew)
      const out = conv1D(weights, `${p}.mlp.c_proj`, inner)
      return x.map((v, i) => v + (out[i] as number))
    })
  }
  const head = get(weights, c.tie_word_embeddings ? "transformer.wte.weight" : "lm_head.weight")
  return xs.map((x) => {
    const normed = layerNorm(weights, "transformer.ln_f", x, c.layer_norm_epsilon)
    return Array.from({ length: c.vocab_size }, (_, v) => {
      let sum = 0
      for (let i = 0; i < hidden; i++) sum += (normed[i] as number) * (head.data[v * hidden + i] as number)
      return sum
    })
  })
}
