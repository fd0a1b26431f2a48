// The HF LlamaForCausalLM parameter names and the shapes config.json implies for them.
import type { LlamaConfig } from "./config.ts"

export const embedName = "model.embed_tokens.weight"
export const finalNormName = "model.norm.weight"
export const lmHeadName = "lm_head.weight"

export const layerPrefix = (layer: number): string => `model.layers.${layer}`

/** The linear modules of each decoder layer, by their name under the layer prefix. */
export const layerLinears = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
] as const

/** [out, in] of each layer linear. */
const linearShapes = (c: LlamaConfig): Record<(typeof layerLinears)[number], [number, number]> => {
  const queryWidth = c.num_attention_heads * c.head_dim
  const kvWidth = c.num_key_value_heads * c.head_dim
  return {
    "self_attn.q_proj": [queryWidth, c.hidden_size],
    "self_attn.k_proj": [kvWidth, c.hidden_size],
    "self_attn.v_proj": [kvWidth, c.hidden_size],
    "self_attn.o_proj": [c.hidden_size, queryWidth],
    "mlp.gate_proj": [c.intermediate_size, c.hidden_size],
    "mlp.up_proj": [c.intermediate_size, c.hidden_size],
    "mlp.down_proj": [c.hidden_size, c.intermediate_size],
  }
}

/** Every parameter the model needs, in checkpoint order, with its shape. */
export const llamaParameterShapes = (c: LlamaConfig): Map<string, number[]> => {
  const shapes = new Map<string, number[]>([[embedName, [c.vocab_size, c.hidden_size]]])
  const linears = linearShapes(c)
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const prefix = layerPrefix(layer)
    for (const module of layerLinears) shapes.set(`${prefix}.${module}.weight`, linears[module])
    for (const module of c.biased) shapes.set(`${prefix}.${module}.bias`, [linears[module][0]])
    shapes.set(`${prefix}.input_layernorm.weight`, [c.hidden_size])
    shapes.set(`${prefix}.post_attention_layernorm.weight`, [c.hidden_size])
  }
  shapes.set(finalNormName, [c.hidden_size])
  if (!c.tie_word_embeddings) shapes.set(lmHeadName, [c.vocab_size, c.hidden_size])
  return shapes
}
