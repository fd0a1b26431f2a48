// The interactive screen: an `Events` layer that folds events into `UiState` and redraws.
// The app unmounts itself after run-end, leaving the summary on the terminal, or when the
// user stops the run, leaving the stopping notice while the run winds down; as a scoped layer
// (inkUiLayer) it is mounted when the layer is built and unmounted when its scope closes, so a
// run that fails before run-end gives the terminal back before its error is printed.
import { Events } from "@peftlab/core"
import { Effect, Layer } from "effect"
import { Box, render, type RenderOptions } from "ink"
import { createElement as h } from "react"
import { initialState, reduce } from "./reducer.ts"
import { Screen } from "./screen.ts"
import { StopKeys } from "./stop-keys.ts"

export interface InkUi {
  readonly layer: Layer.Layer<Events>
  /** Resolves once the screen is gone: after run-end, a stop, or `unmount()`. */
  readonly waitUntilExit: () => Promise<void>
  /** Stops the screen early, e.g. when the run fails before it emits run-end. */
  readonly unmount: () => void
}

export interface InkUiOptions {
  /**
   * Asks the run to stop (q or Ctrl-C), as SIGINT does. Called once; the screen then unmounts,
   * giving the terminal back, so a further Ctrl-C is an ordinary SIGINT.
   */
  readonly onStop: () => void
  /** Ink's own options (tests pass their own streams). */
  readonly render?: RenderOptions
}

/** How often the header's elapsed time advances while no events arrive. */
const tickMs = 1000

/** Mounts the screen now. */
export const inkUi = (options: InkUiOptions): InkUi => {
  let state = initialState
  let startedAt = Date.now()
  let stopRequested = false
  let mounted = true
  const root = () =>
    h(
      Box,
      { flexDirection: "column" },
      h(Screen, { state, elapsedMs: Date.now() - startedAt }),
      state.finished === undefined ? h(StopKeys, { onStop: requestStop, requested: stopRequested }) : null,
    )
  // Ctrl-C is one of the screen's keys, so Ink must not treat it as its own exit.
  const app = render(root(), { exitOnCtrlC: false, ...options.render })
  const ticker = setInterval(() => app.rerender(root()), tickMs)
  // The ticker alone must never keep a finished process alive.
  ticker.unref()
  const unmount = () => {
    if (!mounted) return
    mounted = false
    clearInterval(ticker)
    app.unmount()
  }
  function requestStop() {
    if (stopRequested || !mounted) return
    stopRequested = true
    options.onStop()
    app.rerender(root())
    unmount()
  }
  const layer = Layer.succeed(Events, {
    emit: (event) =>
      Effect.sync(() => {
        if (event.type === "run-start") startedAt = Date.now()
        state = reduce(state, event)
        if (mounted) app.rerender(root())
        if (event.type === "run-end") unmount()
      }),
  })
  return { layer, waitUntilExit: async () => void (await app.waitUntilExit()), unmount }
}

/** The screen as a scoped Events layer: mounted when built, unmounted when the scope closes, however the run ends. */
export const inkUiLayer = (options: InkUiOptions): Layer.Layer<Events> =>
  Layer.unwrap(Effect.map(Effect.acquireRelease(Effect.sync(() => inkUi(options)), (ui) => Effect.sync(ui.unmount)), (ui) => ui.layer))
