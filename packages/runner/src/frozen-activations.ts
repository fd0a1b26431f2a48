// training.activation_cache_mb: while an arm trains in this thread, its model keeps the hidden
// states entering the lowest adapted layer per example, so the frozen layers below it run once,
// not once per epoch (@peftlab/models' layers/frozen-activations.ts). The cache is freed when the
// arm's training ends; what it did is logged. Only on backends whose tensors live on the host: the
// cache reads each batch's ids and lower hidden states back, which a GPU would wait on.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { emit } from "@peftlab/core"
import { frozenActivationCache, type BaseModel, type FrozenActivationCache } from "@peftlab/models"

const report = (arm: string, cache: FrozenActivationCache) => {
  const { hits, misses, storedRows, storedBytes } = cache.stats()
  const refusal = cache.refusal()
  if (refusal !== undefined) return emit({ type: "log", level: "info", message: `${arm}: frozen-activation cache off (${refusal})` })
  if (hits + misses === 0) return Effect.void
  const message = `${arm}: frozen-activation cache served ${hits} rows, ran the frozen layers for ${misses}, kept ${storedRows} (${(storedBytes / 2 ** 20).toFixed(1)} MiB)`
  return emit({ type: "log", level: "info", message })
}

const hostBackends: ReadonlyArray<string> = ["cpu", "wasm", "tensorflow"]

/** `use` with a cache of `megabytes` MiB attached to `model` (none at 0, on a GPU, or for an architecture without the mode). */
export const withFrozenActivationCache = <A, E, R>(arm: string, model: BaseModel, megabytes: number, use: Effect.Effect<A, E, R>) => {
  const slot = model.frozenActivations
  if (megabytes === 0 || slot === undefined || !hostBackends.includes(tf.getBackend())) return use
  return Effect.acquireUseRelease(
    Effect.sync(() => {
      const cache = frozenActivationCache(megabytes, model.linears.values())
      slot.cache = cache
      return cache
    }),
    () => use,
    (cache) =>
      Effect.suspend(() => report(arm, cache)).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            slot.cache = undefined
            cache.clear()
          }),
        ),
      ),
  )
}
