// The HF BERT parameter names and the shapes config.json implies for them. Names carry the
// "bert." prefix of BertForQuestionAnswering / BertForSequenceClassification (the classes PEFT
// fine-tunes), so linear modules are named as PEFT's target_modules see them, e.g.
// "bert.encoder.layer.0.attention.self.query". BertModel files, saved without the prefix, are
// renamed on load (canonicalName).
import type { BertConfig } from "./config.ts"

export const wordEmbedName = "bert.embeddings.word_embeddings.weight"
export const positionEmbedName = "bert.embeddings.position_embeddings.weight"
export const tokenTypeEmbedName = "bert.embeddings.token_type_embeddings.weight"
export const embeddingNormName = "bert.embeddings.LayerNorm"
export const poolerName = "bert.pooler.dense"
/** Megatron-BERT's LayerNorm after the last layer. */
export const finalNormName = "bert.encoder.ln"

/** Each layer's two LayerNorms: after attention and after the feed-forward (BERT), or before each (Megatron-BERT). */
export const layerNorms = (c: BertConfig, layer: number): { readonly attention: string; readonly output: string } =>
  c.model_type === "megatron-bert"
    ? { attention: `${layerPrefix(layer)}.attention.ln`, output: `${layerPrefix(layer)}.ln` }
    : { attention: `${layerPrefix(layer)}.attention.output.LayerNorm`, output: `${layerPrefix(layer)}.output.LayerNorm` }

export const layerPrefix = (layer: number): string => `bert.encoder.layer.${layer}`

/** The linear modules of each encoder layer, by their name under the layer prefix. */
export const layerLinears = ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"] as const

/** [out, in] of each layer linear. */
const linearShapes = (c: BertConfig): Record<(typeof layerLinears)[number], [number, number]> => ({
  "attention.self.query": [c.hidden_size, c.hidden_size],
  "attention.self.key": [c.hidden_size, c.hidden_size],
  "attention.self.value": [c.hidden_size, c.hidden_size],
  "attention.output.dense": [c.hidden_size, c.hidden_size],
  "intermediate.dense": [c.intermediate_size, c.hidden_size],
  "output.dense": [c.hidden_size, c.intermediate_size],
})

/** Every parameter the encoder needs, in checkpoint order, with its shape; the pooler's may be absent (isOptionalBertParameter). */
export const bertParameterShapes = (c: BertConfig): Map<string, number[]> => {
  const shapes = new Map<string, number[]>([
    [wordEmbedName, [c.vocab_size, c.hidden_size]],
    [positionEmbedName, [c.max_position_embeddings, c.hidden_size]],
    [tokenTypeEmbedName, [c.type_vocab_size, c.hidden_size]],
  ])
  const withBias = (module: string, [out, inFeatures]: [number, number]) => {
    shapes.set(`${module}.weight`, [out, inFeatures])
    shapes.set(`${module}.bias`, [out])
  }
  const norm = (module: string) => {
    shapes.set(`${module}.weight`, [c.hidden_size])
    shapes.set(`${module}.bias`, [c.hidden_size])
  }
  const preNorm = c.model_type === "megatron-bert"
  if (!preNorm) norm(embeddingNormName)
  const linears = linearShapes(c)
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const prefix = layerPrefix(layer)
    const norms = layerNorms(c, layer)
    if (preNorm) norm(norms.attention)
    for (const module of layerLinears) withBias(`${prefix}.${module}`, linears[module])
    if (!preNorm) norm(norms.attention)
    norm(norms.output)
  }
  if (preNorm) norm(finalNormName)
  withBias(poolerName, [c.hidden_size, c.hidden_size])
  return shapes
}

/** A checkpoint saved with add_pooling_layer=False has no pooler; the encoder still loads without it. */
export const isOptionalBertParameter = (name: string): boolean => name.startsWith(`${poolerName}.`)

const encoderName = /^(?:bert\.)?((?:embeddings|encoder|pooler)\..*\.(?:weight|bias|gamma|beta))$/

/**
 * The canonical name of a checkpoint tensor: "bert." added where BertModel saved it without;
 * old TF-converted LayerNorm "gamma"/"beta" read as "weight"/"bias", as transformers does.
 * Task heads (qa_outputs, classifier), the MLM head (cls.*) and buffers (position_ids) are not the encoder's.
 */
export const canonicalBertName = (name: string): string | undefined => {
  const match = encoderName.exec(name)
  return match?.[1] && `bert.${match[1].replace(/\.gamma$/, ".weight").replace(/\.beta$/, ".bias")}`
}
