// The T5 decoder's state between generation steps: the self-attention keys and values so far
// (seeded with the decoder prefix), and each layer's cross-attention keys and values, which
// depend only on the encoder output and so are projected once, on the first decode call.
import * as tf from "@tensorflow/tfjs"
import { createKeyValueCache } from "../layers/key-value-cache.ts"
import { pastJoiner } from "../layers/past.ts"
import type { KeyValue } from "../model.ts"
import type { Seq2SeqDecoderCache, Seq2SeqPrefix } from "../seq2seq-lm.ts"

export interface T5DecoderCache extends Seq2SeqDecoderCache {
  /** Cross-attention prefix positions in front of the encoder's. */
  readonly crossPrefixLength: number
  /** The layer's cross-attention keys and values (the prefix's first): `project()`ed on the first call, then kept. */
  crossKeyValue(layer: number, project: () => KeyValue): KeyValue
}

const made = new WeakSet<Seq2SeqDecoderCache>()

const copy = ({ key, value }: KeyValue): KeyValue => ({ key: tf.clone(key), value: tf.clone(value) })
const disposeKeyValue = (kv: KeyValue | undefined): void => {
  if (kv) tf.dispose([kv.key, kv.value])
}

/** An empty cache for `layers` decoder layers and `batch` rows; it owns copies of the prefix. */
export const createT5DecoderCache = (layers: number, batch: number, prefix?: Pick<Seq2SeqPrefix, "decoder" | "cross">): T5DecoderCache => {
  const self = createKeyValueCache(layers, prefix?.decoder && { batch, entries: prefix.decoder })
  const crossPrefix = prefix?.cross?.map(copy)
  const cross: Array<KeyValue | undefined> = Array.from({ length: layers }, () => undefined)
  const cache: T5DecoderCache = {
    self,
    get length() {
      return self.length
    },
    crossPrefixLength: crossPrefix?.[0]?.key.shape[2] ?? 0,
    crossKeyValue: (layer, project) => {
      const cached = cross[layer]
      if (cached) return cached
      const joined = pastJoiner(layer, crossPrefix, undefined)(project())
      cross[layer] = { key: tf.keep(joined.key), value: tf.keep(joined.value) }
      return joined
    },
    dispose: () => {
      self.dispose()
      crossPrefix?.forEach(disposeKeyValue)
      cross.forEach(disposeKeyValue)
    },
  }
  made.add(cache)
  return cache
}

/** The cache as a T5 cache, if a T5 model made it. */
export const asT5DecoderCache = (cache: Seq2SeqDecoderCache): T5DecoderCache => {
  if (!made.has(cache)) throw new RangeError("decode: the cache was not made by a T5 model's createCache")
  return cache as T5DecoderCache
}
