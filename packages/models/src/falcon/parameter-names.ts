// The HF FalconForCausalLM parameter names and the shapes config.json implies for them: one fused
// query_key_value projection per layer, LayerNorms with biases, and the LayerNorms each layer
// form has (see FalconLayerForm).
import type { FalconConfig } from "./config.ts"

export const embedName = "transformer.word_embeddings.weight"
export const finalNormName = "transformer.ln_f"
export const lmHeadName = "lm_head.weight"

export const layerPrefix = (layer: number): string => `transformer.h.${layer}`

/** The linear modules of each decoder layer, by their name under the layer prefix. */
export const layerLinears = ["self_attention.query_key_value", "self_attention.dense", "mlp.dense_h_to_4h", "mlp.dense_4h_to_h"] as const

/** The LayerNorms of each layer, by their name under the layer prefix. */
export const layerNorms = (c: FalconConfig): ReadonlyArray<string> =>
  c.layerForm === "sequential" ? ["input_layernorm", "post_attention_layernorm"] : c.layerForm === "parallel" ? ["input_layernorm"] : ["ln_attn", "ln_mlp"]

/** [out, in] of each layer linear. */
const linearShapes = (c: FalconConfig): Record<(typeof layerLinears)[number], [number, number]> => ({
  "self_attention.query_key_value": [(c.num_attention_heads + 2 * c.num_key_value_heads) * c.head_dim, c.hidden_size],
  "self_attention.dense": [c.hidden_size, c.hidden_size],
  "mlp.dense_h_to_4h": [c.ffn_hidden_size, c.hidden_size],
  "mlp.dense_4h_to_h": [c.hidden_size, c.ffn_hidden_size],
})

/** Every parameter the model needs, in checkpoint order, with its shape. */
export const falconParameterShapes = (c: FalconConfig): Map<string, number[]> => {
  const shapes = new Map<string, number[]>([[embedName, [c.vocab_size, c.hidden_size]]])
  const norm = (name: string) => {
    shapes.set(`${name}.weight`, [c.hidden_size])
    shapes.set(`${name}.bias`, [c.hidden_size])
  }
  const linears = linearShapes(c)
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const prefix = layerPrefix(layer)
    for (const name of layerNorms(c)) norm(`${prefix}.${name}`)
    for (const module of layerLinears) {
      shapes.set(`${prefix}.${module}.weight`, linears[module])
      if (c.bias) shapes.set(`${prefix}.${module}.bias`, [linears[module][0]])
    }
  }
  norm(finalNormName)
  if (!c.tie_word_embeddings) shapes.set(lmHeadName, [c.vocab_size, c.hidden_size])
  return shapes
}

/** LayerNorm gains near 1, their biases and the linears' small; weights scaled by their input width. */
export const falconRandomInit = (name: string, shape: ReadonlyArray<number>): "gain" | "bias" | number => {
  if (shape.length === 1) return /(layernorm|ln_attn|ln_mlp|ln_f)\.weight$/.test(name) ? "gain" : "bias"
  return 1 / Math.sqrt(shape[1] as number)
}

