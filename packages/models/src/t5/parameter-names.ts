// The HF T5ForConditionalGeneration parameter and module names, and the shapes config.json implies.
// Each block is a list of sublayers ("layer.0", "layer.1", ...), each with its own layer_norm:
// the encoder's are self-attention and feed-forward, the decoder's self-attention,
// cross-attention (EncDecAttention) and feed-forward.
import type { T5Config } from "./config.ts"

export type Stack = "encoder" | "decoder"
export type Sublayer = "SelfAttention" | "EncDecAttention" | "DenseReluDense"

export const sharedName = "shared.weight"
export const lmHeadName = "lm_head.weight"

const sublayers: Record<Stack, ReadonlyArray<Sublayer>> = {
  encoder: ["SelfAttention", "DenseReluDense"],
  decoder: ["SelfAttention", "EncDecAttention", "DenseReluDense"],
}

export const stackLayers = (c: T5Config, stack: Stack): number => (stack === "encoder" ? c.num_layers : c.num_decoder_layers)

const sublayerPrefix = (stack: Stack, block: number, sublayer: Sublayer): string => `${stack}.block.${block}.layer.${sublayers[stack].indexOf(sublayer)}`

/** The module name of a sublayer, e.g. "decoder.block.0.layer.1.EncDecAttention". */
export const moduleName = (stack: Stack, block: number, sublayer: Sublayer): string => `${sublayerPrefix(stack, block, sublayer)}.${sublayer}`

/** The RMS norm applied to a sublayer's input. */
export const layerNormName = (stack: Stack, block: number, sublayer: Sublayer): string => `${sublayerPrefix(stack, block, sublayer)}.layer_norm.weight`

export const finalNormName = (stack: Stack): string => `${stack}.final_layer_norm.weight`

/** [buckets, heads]: only the first block of each stack holds it; every block of the stack uses it. */
export const relativeBiasName = (stack: Stack): string => `${moduleName(stack, 0, "SelfAttention")}.relative_attention_bias.weight`

export const attentionProjections = ["q", "k", "v", "o"] as const

/** The feed-forward projections: one input projection for "relu", a gelu branch and a linear one for "gated-gelu". */
export const feedForwardProjections = (c: T5Config): ReadonlyArray<string> => (c.feed_forward_proj === "relu" ? ["wi", "wo"] : ["wi_0", "wi_1", "wo"])

/** [out, in] of every linear module by HF module name, "lm_head" included. */
export const t5LinearShapes = (c: T5Config): Map<string, [number, number]> => {
  const inner = c.num_heads * c.d_kv
  const shapes = new Map<string, [number, number]>()
  for (const stack of ["encoder", "decoder"] as const) {
    for (let block = 0; block < stackLayers(c, stack); block++) {
      for (const sublayer of sublayers[stack]) {
        const name = moduleName(stack, block, sublayer)
        if (sublayer === "DenseReluDense") {
          for (const p of feedForwardProjections(c)) shapes.set(`${name}.${p}`, p === "wo" ? [c.d_model, c.d_ff] : [c.d_ff, c.d_model])
        } else {
          for (const p of attentionProjections) shapes.set(`${name}.${p}`, p === "o" ? [c.d_model, inner] : [inner, c.d_model])
        }
      }
    }
  }
  shapes.set("lm_head", [c.vocab_size, c.d_model])
  return shapes
}

/** Every parameter the model needs, with its shape. */
export const t5ParameterShapes = (c: T5Config): Map<string, number[]> => {
  const shapes = new Map<string, number[]>([[sharedName, [c.vocab_size, c.d_model]]])
  for (const [name, shape] of t5LinearShapes(c)) {
    if (name !== "lm_head" || !c.tie_word_embeddings) shapes.set(`${name}.weight`, shape)
  }
  for (const stack of ["encoder", "decoder"] as const) {
    shapes.set(relativeBiasName(stack), [c.relative_attention_num_buckets, c.num_heads])
    for (let block = 0; block < stackLayers(c, stack); block++) {
      for (const sublayer of sublayers[stack]) shapes.set(layerNormName(stack, block, sublayer), [c.d_model])
    }
    shapes.set(finalNormName(stack), [c.d_model])
  }
  return shapes
}
