// The backends a run can use: the registry's entries (the built-ins under plugins/, and any a
// spec's plugins add). Each plugin is imported only when asked for, so a missing optional
// backend never breaks the others.
import { Effect } from "effect"
import type { AnyInputError, BackendPlugin } from "@peftlab/core"
import type { BackendEntry, PeftlabRegistry } from "@peftlab/plugin-api"
import { builtinRegistry } from "@peftlab/runner"

export type BackendStatus =
  | { readonly name: string; readonly available: true; readonly description: string; readonly plugin: BackendPlugin }
  | { readonly name: string; readonly available: false; readonly reason: string }

export const backendStatus = (entry: BackendEntry): Effect.Effect<BackendStatus, AnyInputError> =>
  Effect.gen(function* () {
    const plugin = yield* entry.load()
    const probe = yield* Effect.promise(() => plugin.probe())
    return probe.available
      ? { name: entry.name, available: true, description: plugin.description, plugin }
      : { name: entry.name, available: false, reason: probe.reason }
  })

/** Every backend's status; one whose package cannot be loaded (not installed) is listed as unavailable, saying why. */
export const allBackendStatuses = (registry: PeftlabRegistry = builtinRegistry()): Promise<Array<BackendStatus>> =>
  Effect.runPromise(
    Effect.forEach(
      registry.entries("backends"),
      (entry) => backendStatus(entry).pipe(Effect.catch((error) => Effect.succeed<BackendStatus>({ name: entry.name, available: false, reason: error.detail }))),
      { concurrency: "unbounded" },
    ),
  )
