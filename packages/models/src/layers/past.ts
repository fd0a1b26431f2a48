// The positions an attention stack sees before the current tokens: prefix tuning's per-layer
// keys and values, or a key/value cache (which, when seeded, holds the prefix itself).
import * as tf from "@tensorflow/tfjs"
import type { KeyValueCache } from "./key-value-cache.ts"
import type { KeyValue } from "../model.ts"

export interface PrefixShape {
  readonly batch: number
  readonly layers: number
  readonly kvHeads: number
  readonly headDim: number
  /** The argument's name in errors (e.g. "prefix.cross"); "prefix" by default. */
  readonly label?: string
}

/** The number of prefix positions, after checking there is one entry per layer, each [batch, kvHeads, positions, headDim]. */
export const checkPrefix = (prefix: ReadonlyArray<KeyValue>, { batch, layers, kvHeads, headDim, label = "prefix" }: PrefixShape): number => {
  if (prefix.length !== layers) throw new RangeError(`${label}: expected one entry per layer (${layers}), got ${prefix.length}`)
  const length = prefix[0]?.key.shape[2] ?? 0
  const expected = [batch, kvHeads, length, headDim].join(", ")
  prefix.forEach(({ key, value }, layer) => {
    for (const [name, t] of [["key", key], ["value", value]] as const) {
      if (t.shape.join(", ") !== expected) throw new RangeError(`${label}[${layer}].${name}: expected shape [${expected}], got [${t.shape.join(", ")}]`)
    }
  })
  return length
}

/** Per layer: the keys and values to attend to, the cached or prefix ones first (the cache also stores the new ones). */
export const pastJoiner =
  (layer: number, prefix: ReadonlyArray<KeyValue> | undefined, cache: KeyValueCache | undefined) =>
  (current: KeyValue): KeyValue => {
    if (cache) return cache.extend(layer, current)
    const past = prefix?.[layer]
    return past ? { key: tf.concat([past.key, current.key], 2), value: tf.concat([past.value, current.value], 2) } : current
  }

/** Positions before the current tokens in a causal stack: the prefix's (checked) or the cache's. */
export const pastLength = (prefix: ReadonlyArray<KeyValue> | undefined, cache: KeyValueCache | undefined, shape: PrefixShape): number => {
  if (prefix && cache) throw new RangeError("forward: give a prefix or a cache (seeded with the prefix), not both")
  return prefix ? checkPrefix(prefix, shape) : (cache?.length ?? 0)
}
