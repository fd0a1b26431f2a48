// Reusing the frozen bottom of a stack (issue 20, "No wasted work"). When an adapter sits only in
// layers L and above (LoRA with layers_to_transform on the top layers), the hidden states
// entering layer L are a function of the example's tokens alone: they are computed once, off the
// tape, kept on the host under a memory bound (first come, until full), and fed to layer L on
// later passes over the same example.
//
// A row is keyed by its token ids up to its padding: only right-padded rows (a run of ones, then
// zeros, in the attention mask) are cached, whose real positions attend to none of the padding,
// so their hidden states do not depend on how far the batch pads them. A served batch has zeros at
// its padded positions, which no real position reads. Rows are taken from the ids `embed` made
// (remembered here while a cache is attached); embeddings made any other way (prompt tuning's
// virtual tokens in front) are not cached. The layers below are run off the tape and checked to
// read no trainable variable: one that does (an IA3 vector, a fine-tuned base) turns the cache off
// for good, and the pass runs as without it.
import * as tf from "@tensorflow/tfjs"
import { runUntaped } from "./checkpoint.ts"
import type { Linear } from "./linear.ts"

export interface FrozenActivationStats {
  /** Rows served from the cache. */
  readonly hits: number
  /** Rows whose frozen layers were run (stored too while the bound allows). */
  readonly misses: number
  readonly storedRows: number
  readonly storedBytes: number
}

export interface FrozenActivationCache {
  readonly maxBytes: number
  /** The model's linear modules when the cache was made: any other in a layer is an adapter's. */
  readonly base: ReadonlySet<Linear>
  stats(): FrozenActivationStats
  /** Why the cache turned itself off (a trainable variable below the layer it starts at), once it has. */
  readonly refusal: () => string | undefined
  /** Frees every stored row. */
  clear(): void
}

interface CacheState extends FrozenActivationCache {
  readonly rows: Map<string, Float32Array>
  readonly counts: { hits: number; misses: number; bytes: number }
  refused: string | undefined
}

/**
 * A cache holding at most `maxMegabytes` MiB of hidden states on the host, for a model whose
 * linear modules (quantized or not) are `base` (its `linears`' values, no adapter's in place).
 */
export const frozenActivationCache = (maxMegabytes: number, base: Iterable<Linear>): FrozenActivationCache => {
  const state: CacheState = {
    maxBytes: maxMegabytes * 1024 * 1024,
    base: new Set(base),
    rows: new Map(),
    counts: { hits: 0, misses: 0, bytes: 0 },
    refused: undefined,
    stats: () => ({ hits: state.counts.hits, misses: state.counts.misses, storedRows: state.rows.size, storedBytes: state.counts.bytes }),
    refusal: () => state.refused,
    clear: () => {
      state.rows.clear()
      state.counts.bytes = 0
    },
  }
  return state
}

/** The token ids of the embeddings `embed` made while a cache was attached. */
const idsOfEmbeds = new WeakMap<tf.Tensor, Int32Array>()

/** Records that `embeds` are the frozen embeddings of `ids` (returns `embeds`). */
export const rememberIds = (embeds: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor3D => {
  idsOfEmbeds.set(embeds, Int32Array.from(ids.dataSync()))
  return embeds
}

/**
 * The lowest of `layers` layers where one of `linears` (`<layerPrefix(layer)>.<suffix>` for each
 * of `suffixes`) is not among the cache's base modules in this pass: an adapter's put in its
 * place. `layers` when none is.
 */
export const lowestAdaptedLayer = (
  cache: FrozenActivationCache,
  layers: number,
  layerPrefix: (layer: number) => string,
  suffixes: ReadonlyArray<string>,
  linears: ReadonlyMap<string, Linear>,
): number => {
  for (let layer = 0; layer < layers; layer++) {
    const prefix = layerPrefix(layer)
    if (suffixes.some((suffix) => !cache.base.has(linears.get(`${prefix}.${suffix}`) as Linear))) return layer
  }
  return layers
}

/** Each row's count of real tokens, or undefined unless every row is ones then zeros. */
const rightPaddedLengths = (mask: tf.Tensor2D | undefined, batch: number, time: number): Array<number> | undefined => {
  if (mask === undefined) return Array.from({ length: batch }, () => time)
  const values = mask.dataSync()
  const lengths: Array<number> = []
  for (let row = 0; row < batch; row++) {
    const at = (t: number) => values[row * time + t]
    let length = 0
    while (length < time && at(length) === 1) length++
    for (let t = length; t < time; t++) if (at(t) !== 0) return undefined
    lengths.push(length)
  }
  return lengths
}

export interface FrozenLayerRequest {
  readonly embeds: tf.Tensor3D
  readonly attentionMask: tf.Tensor2D | undefined
  /** [batch, time] ids that enter the layers below beside the tokens (BERT's token types), part of each row's key. */
  readonly segments?: tf.Tensor2D | undefined
  /** The lowest layer with anything trainable: the cached hidden states are its input. */
  readonly start: number
  /** Runs the layers below `start` on `embeds`. */
  readonly runBelow: () => tf.Tensor3D
}

/**
 * The hidden states entering layer `start`, from the cache or from the frozen layers below it run
 * off the tape (the rows stored while the bound allows); undefined where this pass cannot use the
 * cache, and the caller runs every layer as usual.
 */
export const frozenLayerInput = (cache: FrozenActivationCache, request: FrozenLayerRequest): tf.Tensor3D | undefined => {
  const state = cache as CacheState
  const { embeds, start } = request
  const ids = idsOfEmbeds.get(embeds)
  if (state.refused !== undefined || ids === undefined) return undefined
  const [batch, time, hidden] = embeds.shape
  const lengths = rightPaddedLengths(request.attentionMask, batch, time)
  if (lengths === undefined) return undefined
  const segments = request.segments?.dataSync()
  const keys = lengths.map((length, row) => {
    const part = (values: ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> }) => Array.from(values.subarray(row * time, row * time + length)).join(",")
    return `${start}:${part(ids)}${segments ? `:${part(segments)}` : ""}`
  })
  const cached = keys.map((key) => state.rows.get(key))
  if (cached.every((row) => row !== undefined)) {
    state.counts.hits += batch
    const values = new Float32Array(batch * time * hidden)
    cached.forEach((row, i) => values.set(row as Float32Array, i * time * hidden))
    return tf.tensor3d(values, [batch, time, hidden])
  }
  const { value, read } = runUntaped(request.runBelow)
  const trainable = Object.values(tf.engine().registeredVariables).find((v) => v.trainable && read.has(v.id))
  if (trainable !== undefined) {
    state.refused = `the layers below layer ${start} read the trainable variable ${trainable.name}`
    value.dispose()
    return undefined
  }
  state.counts.misses += batch
  const values = value.dataSync() as Float32Array
  lengths.forEach((length, row) => {
    const key = keys[row] as string
    const bytes = length * hidden * 4
    if (cached[row] !== undefined || state.rows.has(key) || state.counts.bytes + bytes > state.maxBytes) return
    state.rows.set(key, values.slice(row * time * hidden, (row * time + length) * hidden))
    state.counts.bytes += bytes
  })
  return value
}
