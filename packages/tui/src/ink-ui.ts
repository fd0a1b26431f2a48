// The interactive screen: an `Events` layer that folds events into `UiState` and redraws.
// The app unmounts itself after run-end, leaving the summary on the terminal.
import { Events } from "@peftlab/core"
import { Effect, Layer } from "effect"
import { render, type RenderOptions } from "ink"
import { createElement } from "react"
import { initialState, reduce } from "./reducer.ts"
import { Screen } from "./screen.ts"

export interface InkUi {
  readonly layer: Layer.Layer<Events>
  /** Resolves once the screen is gone: after run-end, or after `unmount()`. */
  readonly waitUntilExit: () => Promise<void>
  /** Stops the screen early, e.g. when the run fails before it emits run-end. */
  readonly unmount: () => void
}

/** How often the header's elapsed time advances while no events arrive. */
const tickMs = 1000

/** Mounts the screen now; `options` are Ink's (tests pass their own streams). */
export const inkUi = (options?: RenderOptions): InkUi => {
  let state = initialState
  let startedAt = Date.now()
  const screen = () => createElement(Screen, { state, elapsedMs: Date.now() - startedAt })
  const app = render(screen(), options)
  const ticker = setInterval(() => app.rerender(screen()), tickMs)
  // The ticker alone must never keep a finished process alive.
  ticker.unref()
  let mounted = true
  const unmount = () => {
    if (!mounted) return
    mounted = false
    clearInterval(ticker)
    app.unmount()
  }
  const layer = Layer.succeed(Events, {
    emit: (event) =>
      Effect.sync(() => {
        if (event.type === "run-start") startedAt = Date.now()
        state = reduce(state, event)
        if (mounted) app.rerender(screen())
        if (event.type === "run-end") unmount()
      }),
  })
  return { layer, waitUntilExit: async () => void (await app.waitUntilExit()), unmount }
}
