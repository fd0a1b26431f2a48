// How PEFT lays the prefix out: one row of layers*2*tokenDim numbers per virtual token, viewed as
// [virtual, layers*2, kvHeads, headDim] and permuted into 2*layers entries (PEFT's get_prompt).
// With grouped-query attention PEFT sizes it by the key/value heads.
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

/**
 * The entries PEFT gives layer `layer` as keys and values. With one transformer submodule they
 * are 2l and 2l+1. An encoder-decoder has two (num_transformer_submodules 2): PEFT concatenates
 * the 2L entries with themselves and splits the 4L into groups of four per layer (self-attention's
 * keys and values, then cross-attention's, which it discards), so layer l reads entries 4l and
 * 4l+1 of the doubled list: entries 4l mod 2L and 4l+1 mod 2L (for two layers, both read 0 and 1).
 */
const entriesOf = (model: BaseModel, layer: number, layers: number): [number, number] =>
  model.kind === "seq2seq" ? [(4 * layer) % (2 * layers), (4 * layer + 1) % (2 * layers)] : [2 * layer, 2 * layer + 1]

/** rows [virtual, width] -> each layer's key and value for `model`, [batch, kvHeads, virtual, headDim]. */
export const layerPrefixes = (model: BaseModel, rows: tf.Tensor2D, dims: PrefixDims, batch: number): KeyValue[] => {
  const virtual = rows.shape[0]
  const parts = tf.unstack(rows.reshape([virtual, dims.layers * 2, dims.kvHeads, dims.headDim]).transpose([1, 2, 0, 3]))
  const perRow = (t: tf.Tensor | undefined) => (t as tf.Tensor3D).expandDims(0).tile([batch, 1, 1, 1]) as tf.Tensor4D
  return Array.from({ length: dims.layers }, (_, layer) => {
    const [key, value] = entriesOf(model, layer, dims.layers)
    return { key: perRow(parts[key]), value: perRow(parts[value]) }
  })
}

/**
 * Where PEFT puts the prefix: a decoder-only model's or an encoder's self-attention; an
 * encoder-decoder's decoder self-attention only. PEFT 0.21 hands T5 the prefix as the decoder's
 * cache and empties the cross-attention cache (so cross-attention reads the encoder output alone),
 * and T5's encoder takes no cache at all.
 */
export const stackPrefixes = (model: BaseModel, layers: ReadonlyArray<KeyValue>): Seq2SeqPrefix =>
  model.kind === "encoder" ? { encoder: layers } : { decoder: layers }
