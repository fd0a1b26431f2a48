// Memory samples for the screen and the JSON lines: the process's resident set and what tfjs
// holds in tensors. Sampled on a timer, so evaluation shows it too, and after each arm's result,
// so every arm reports its footprint even when its work keeps the event loop (and the timer) busy.
import * as tf from "@tensorflow/tfjs"
import { Backend, emit, Events } from "@peftlab/core"
import { Duration, Effect } from "effect"

/** How often memory is sampled by default. */
export const resourcesInterval = Duration.seconds(2)

const sample = Effect.suspend(() => emit({ type: "resources", rssBytes: process.memoryUsage.rss(), tensorBytes: tf.memory().numBytes }))

/**
 * Runs `self` while emitting a `resources` event every `every` (the first after one interval,
 * so it follows run-start) and one after each `arm-result`. Needs `Backend`, which sets tfjs up
 * before it is asked for memory.
 */
export const withResourceSamples =
  (every: Duration.Input = resourcesInterval) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Events | Backend> =>
    Effect.gen(function* () {
      yield* Backend
      const events = yield* Events
      const sampled: typeof events = {
        emit: (event) => Effect.andThen(events.emit(event), event.type === "arm-result" ? Effect.provideService(sample, Events, events) : Effect.void),
      }
      // A child fiber: it stops when `self` ends, however it ends.
      yield* Effect.forkChild(Effect.forever(Effect.andThen(Effect.sleep(every), sample)))
      return yield* Effect.provideService(self, Events, sampled)
    })
