// T5's relative position bias: each (query, key) pair falls in a bucket by the key's offset from
// the query (exact for small offsets, logarithmic up to max_distance, one bucket beyond), and
// each bucket has a learned bias per head, added to the attention scores. The encoder tells
// keys before and after the query apart (bidirectional); the decoder only looks back.
import * as tf from "@tensorflow/tfjs"

export interface BucketOptions {
  readonly bidirectional: boolean
  readonly numBuckets: number
  readonly maxDistance: number
}

/** HF's T5Attention._relative_position_bucket for relative = key position - query position. */
export const relativePositionBucket = (relative: number, { bidirectional, numBuckets, maxDistance }: BucketOptions): number => {
  const buckets = bidirectional ? Math.floor(numBuckets / 2) : numBuckets
  const offset = bidirectional && relative > 0 ? buckets : 0
  const distance = bidirectional ? Math.abs(relative) : Math.max(-relative, 0)
  const maxExact = Math.floor(buckets / 2)
  if (distance < maxExact) return offset + distance
  const logarithmic = maxExact + Math.trunc((Math.log(distance / maxExact) / Math.log(maxDistance / maxExact)) * (buckets - maxExact))
  return offset + Math.min(logarithmic, buckets - 1)
}

/**
 * [1, heads, queries, keys]: the bias `table` [buckets, heads] gives each pair, for queries at
 * positions queryStart.. (after cached or prefix positions) and keys at positions 0..keys-1.
 */
export const positionBias = (table: tf.Tensor2D, queryStart: number, queries: number, keys: number, options: BucketOptions): tf.Tensor4D =>
  tf.tidy(() => {
    const buckets = new Int32Array(queries * keys)
    for (let q = 0; q < queries; q++) {
      for (let k = 0; k < keys; k++) buckets[q * keys + k] = relativePositionBucket(k - (queryStart + q), options)
    }
    const heads = table.shape[1]
    return tf.gather(table, tf.tensor1d(buckets, "int32")).reshape([1, queries, keys, heads]).transpose([0, 3, 1, 2]) as tf.Tensor4D
  })
