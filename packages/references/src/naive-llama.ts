// An independent float64 Llama forward for tests: plain loops over one sequence, written
// straight from the HF modeling_llama formulas (rotate_half RoPE, repeat_kv, causal softmax,
// SwiGLU), sharing no code with @peftlab/models; with the biases and sliding window that
// Qwen2's and Mistral's checkpoints add where their weights and config hold them.
import type { LlamaConfig } from "@peftlab/models"
import { get, matVec, project, rope } from "./naive-ops.ts"
import type { NaivePrefix, Weights } from "./types.ts"

const rmsNorm = (weights: Weights, name: string, x: ReadonlyArray<number>, eps: number): number[] => {
  const scale = 1 / Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + eps)
  const { data } = get(weights, name)
  return x.map((v, i) => v * scale * (data[i] as number))
}

/**
 * Logits [time][vocab] for one sequence of input embeddings [time][hidden]. With `prefix` (one
 * entry per layer, [kvHead][virtual][headDim]), every token also attends to the prefix, whose keys
 * act as cached keys (no rotation applied), and token t sits at position p + t.
 */
export const naiveLlamaLogits = (
  c: LlamaConfig,
  weights: Weights,
  embeds: ReadonlyArray<ReadonlyArray<number>>,
  prefix?: ReadonlyArray<NaivePrefix>,
): number[][] => {
  const d = c.head_dim
  const groups = c.num_attention_heads / c.num_key_value_heads
  const past = prefix?.[0]?.key[0]?.length ?? 0
  let xs = embeds.map((e) => [...e])
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const p = `model.layers.${layer}`
    const normed = xs.map((x) => rmsNorm(weights, `${p}.input_layernorm.weight`, x, c.rms_norm_eps))
    const head = (vec: number[], h: number) => vec.slice(h * d, (h + 1) * d)
    const qs = normed.map((x) => project(weights, `${p}.self_attn.q_proj`, x))
    const ks = normed.map((x) => project(weights, `${p}.self_attn.k_proj`, x))
    const vs = normed.map((x) => project(weights, `${p}.self_attn.v_proj`, x))
    const attended = xs.map((_, t) => {
      const out: number[] = []
      for (let h = 0; h < c.num_attention_heads; h++) {
        const kvHead = Math.floor(h / groups)
        const q = rope(head(qs[t]!, h), past + t, c.rope_theta)
        // Keys and values: the layer's prefix first, then tokens 0..t (rotated at past + s).
        // Mistral's sliding window: only the last sliding_window positions, the query's own included.
        const inWindow = (_: unknown, j: number) => c.sliding_window === undefined || past + t - j < c.sliding_window
        const keys = [...(prefix?.[layer]?.key[kvHead] ?? []), ...ks.slice(0, t + 1).map((k, s) => rope(head(k, kvHead), past + s, c.rope_theta))].filter(inWindow)
        const values = [...(prefix?.[layer]?.value[kvHead] ?? []), ...vs.slice(0, t + 1).map((v) => head(v, kvHead))].filter(inWindow)
        const scores = keys.map((k) => q.reduce((sum, qi, i) => sum + qi * (k[i] as number), 0) / Math.sqrt(d))
        const max = Math.max(...scores)
        const exps = scores.map((s) => Math.exp(s - max))
        const total = exps.reduce((a, b) => a + b, 0)
        for (let i = 0; i < d; i++) out.push(exps.reduce((sum, e, s) => sum + (e / total) * (values[s]![i] as number), 0))
      }
      return project(weights, `${p}.self_attn.o_proj`, out)
    })
    xs = xs.map((x, t) => x.map((v, i) => v + (attended[t]![i] as number)))
    xs = xs.map((x) => {
      const n = rmsNorm(weights, `${p}.post_attention_layernorm.weight`, x, c.rms_norm_eps)
      const gate = matVec(weights, `${p}.mlp.gate_proj.weight`, n)
      const up = matVec(weights, `${p}.mlp.up_proj.weight`, n)
      const mlp = matVec(weights, `${p}.mlp.down_proj.weight`, gate.map((g, i) => (g / (1 + Math.exp(-g))) * (up[i] as number)))
      return x.map((v, i) => v + (mlp[i] as number))
    })
  }
  const head = c.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight"
  return xs.map((x) => matVec(weights, head, rmsNorm(weights, "model.norm.weight", x, c.rms_norm_eps)))
}
