// Memory samples for the screen and the JSON lines: the process's resident set and what tfjs
// holds in tensors. Sampled on a timer rather than per step, so evaluation shows it too.
import * as tf from "@tensorflow/tfjs"
import { Backend, emit, type Events } from "@peftlab/core"
import { Duration, Effect } from "effect"

/** How often memory is sampled by default. */
export const resourcesInterval = Duration.seconds(2)

/**
 * Runs `self` while emitting a `resources` event every `every` (the first after one interval,
 * so it follows run-start). Needs `Backend`, which sets tfjs up before it is asked for memory.
 */
export const withResourceSamples =
  (every: Duration.Input = resourcesInterval) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Events | Backend> =>
    Effect.gen(function* () {
      yield* Backend
      const sample = Effect.suspend(() => emit({ type: "resources", rssBytes: process.memoryUsage.rss(), tensorBytes: tf.memory().numBytes }))
      // A child fiber: it stops when `self` ends, however it ends.
      yield* Effect.forkChild(Effect.forever(Effect.andThen(Effect.sleep(every), sample)))
      return yield* self
    })
