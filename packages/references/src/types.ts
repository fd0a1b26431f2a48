// The shapes every reference takes: checkpoint tensors by HF parameter name, and one layer's
// prefix-tuning keys and values as plain nested arrays.

/** Float32 tensors by HF parameter name, as safetensors stores them (row-major `data`). */
export type Weights = ReadonlyMap<string, { readonly shape: ReadonlyArray<number>; readonly data: Float32Array }>

/** One layer's prefix-tuning keys and values, [head (key/value head for Llama)][virtual position][headDim]. */
export interface NaivePrefix {
  readonly key: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>
  readonly value: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>
}
