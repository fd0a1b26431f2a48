// Keys and values of the positions already processed, per layer, so that generating a token
// runs the model over that one token only (HF's DynamicCache). The cache owns its tensors:
// they are kept out of the caller's tf.tidy and replaced as they grow.
import * as tf from "@tensorflow/tfjs"
import type { KeyValue } from "../model.ts"

export interface KeyValueCache {
  /** Positions cached so far. */
  readonly length: number
  /** [batch, length]: which cached positions may be attended to (1) or are padding (0); undefined while empty. */
  readonly mask: tf.Tensor2D | undefined
  /** The layer's cached keys/values followed by `current`'s; stored for the next call. */
  extend(layer: number, current: KeyValue): KeyValue
  /** Records the mask of every position cached so far, once all layers are extended. */
  commit(mask: tf.Tensor2D): void
  dispose(): void
}

const keep = (kv: KeyValue): KeyValue => ({ key: tf.keep(kv.key), value: tf.keep(kv.value) })
const disposeKv = (kv: KeyValue | undefined): void => {
  kv?.key.dispose()
  kv?.value.dispose()
}

/** An empty cache, or one that starts with a prefix (prefix tuning's keys and values, always attended). */
export const createKeyValueCache = (layers: number, prefix?: { readonly batch: number; readonly entries: ReadonlyArray<KeyValue> }): KeyValueCache => {
  const entries: Array<KeyValue | undefined> = Array.from({ length: layers }, (_, i) => {
    const given = prefix?.entries[i]
    return given && { key: tf.clone(given.key), value: tf.clone(given.value) }
  })
  const prefixLength = prefix?.entries[0]?.key.shape[2] ?? 0
  let mask = prefix && prefixLength > 0 ? (tf.ones([prefix.batch, prefixLength], "int32") as tf.Tensor2D) : undefined
  return {
    get length() {
      return mask?.shape[1] ?? 0
    },
    get mask() {
      return mask
    },
    extend: (layer, current) => {
      const past = entries[layer]
      const joined = past ? { key: tf.concat([past.key, current.key], 2), value: tf.concat([past.value, current.value], 2) } : current
      entries[layer] = keep(joined)
      disposeKv(past)
      return joined
    },
    commit: (next) => {
      if (next === mask) return
      mask?.dispose()
      mask = tf.keep(next)
    },
    dispose: () => {
      entries.forEach(disposeKv)
      mask?.dispose()
    },
  }
}
