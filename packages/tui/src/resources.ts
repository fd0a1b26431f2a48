// Memory samples for the screen and the JSON lines: the process's resident set and what the
// backend holds (tensors, and a GPU's buffers where it has one), as the Backend service reports
// it. Sampled on a timer, so evaluation shows it too, and after each arm's result, so every arm
// reports its footprint even when its work keeps the event loop (and the timer) busy.
import { Backend, Events } from "@peftlab/core"
import { Duration, Effect } from "effect"

/** How often memory is sampled by default. */
export const resourcesInterval = Duration.seconds(2)

const sample = (backend: Backend["Service"], events: Events["Service"]) =>
  Effect.flatMap(backend.memory, ({ rssBytes, tensorBytes, deviceBytes }) =>
    events.emit({ type: "resources", rssBytes, tensorBytes, ...(deviceBytes !== undefined && { deviceBytes }) }),
  )

/**
 * Runs `self` while emitting a `resources` event every `every` (the first after one interval,
 * so it follows run-start) and one after each `arm-result`, from `Backend`'s memory.
 */
export const withResourceSamples =
  (every: Duration.Input = resourcesInterval) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Events | Backend> =>
    Effect.gen(function* () {
      const events = yield* Events
      const measured = sample(yield* Backend, events)
      const sampled: typeof events = {
        emit: (event) => Effect.andThen(events.emit(event), event.type === "arm-result" ? measured : Effect.void),
      }
      // A child fiber: it stops when `self` ends, however it ends.
      yield* Effect.forkChild(Effect.forever(Effect.andThen(Effect.sleep(every), measured)))
      return yield* Effect.provideService(self, Events, sampled)
    })
