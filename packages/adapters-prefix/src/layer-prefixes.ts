// How PEFT lays the prefix out: one row of layers*2*tokenDim numbers per virtual token, viewed as
// [virtual, layers*2, kvHeads, headDim] and permuted so entry 2l is layer l's keys and 2l+1 its
// values (PEFT's get_prompt). With grouped-query attention PEFT sizes it by the key/value heads.
import * as tf from "@tensorflow/tfjs"
import type { BaseModel, KeyValue, Seq2SeqPrefix } from "@peftlab/models"

export interface PrefixDims {
  readonly layers: number
  readonly kvHeads: number
  readonly headDim: number
  /** PEFT's token_dim: the width of one layer's keys (kvHeads * headDim). */
  readonly tokenDim: number
  /** One virtual token's row: layers * 2 * tokenDim. */
  readonly width: number
}

export const prefixDims = (model: BaseModel): PrefixDims => {
  const { num_hidden_layers: layers, num_key_value_heads: kvHeads, head_dim: headDim } = model.dims
  return { layers, kvHeads, headDim, tokenDim: kvHeads * headDim, width: layers * 2 * kvHeads * headDim }
}

/** rows [virtual, width] -> each layer's key and value, [batch, kvHeads, virtual, headDim]. */
export const layerPrefixes = (rows: tf.Tensor2D, dims: PrefixDims, batch: number): KeyValue[] => {
  const virtual = rows.shape[0]
  const parts = tf.unstack(rows.reshape([virtual, dims.layers * 2, dims.kvHeads, dims.headDim]).transpose([1, 2, 0, 3]))
  const perRow = (t: tf.Tensor | undefined) => (t as tf.Tensor3D).expandDims(0).tile([batch, 1, 1, 1]) as tf.Tensor4D
  return Array.from({ length: dims.layers }, (_, layer) => ({ key: perRow(parts[2 * layer]), value: perRow(parts[2 * layer + 1]) }))
}

/**
 * The prefix of every attention stack the model has. An encoder-decoder gets the same keys and
 * values in its decoder's self- and cross-attention, as PEFT does, and (beyond PEFT) in its
 * encoder's self-attention too, so the file layout stays PEFT's.
 */
export const stackPrefixes = (model: BaseModel, layers: ReadonlyArray<KeyValue>): Seq2SeqPrefix =>
  model.kind === "causal" ? { decoder: layers } : model.kind === "encoder" ? { encoder: layers } : { encoder: layers, decoder: layers, cross: layers }
