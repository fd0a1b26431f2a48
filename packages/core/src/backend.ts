// A compute backend for tfjs. Each plugin under plugins/ provides one `BackendPlugin`;
// the CLI picks one by name (`--backend`) and provides its layer to the pipeline.
import { Context, Effect, Layer } from "effect"
import { InputError } from "./input-error.ts"

export class BackendUnavailable extends InputError("BackendUnavailable") {}

/** The active backend, once set up: tfjs is ready to run on it. */
export class Backend extends Context.Service<Backend, { readonly name: string }>()("@peftlab/core/Backend") {}

export interface BackendPlugin {
  readonly name: string
  readonly description: string
  /** Whether this backend can run here, and why not when it cannot. */
  readonly probe: () => Promise<{ readonly available: true } | { readonly available: false; readonly reason: string }>
  /** Prepares tfjs (registers and selects the backend). */
  readonly setup: () => Promise<void>
}

export const backendLayer = (plugin: BackendPlugin): Layer.Layer<Backend, BackendUnavailable> =>
  Layer.effect(
    Backend,
    Effect.gen(function* () {
      const probe = yield* Effect.promise(plugin.probe)
      if (!probe.available) {
        return yield* Effect.fail(new BackendUnavailable({ source: `--backend ${plugin.name}`, detail: probe.reason }))
      }
      yield* Effect.tryPromise({
        try: plugin.setup,
        catch: (cause) => new BackendUnavailable({ source: `--backend ${plugin.name}`, detail: String(cause) }),
      })
      return { name: plugin.name }
    }),
  )
