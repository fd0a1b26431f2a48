// A `backend` name as a plugin registers it: how to get its BackendPlugin (@peftlab/core), imported
// only when the backend is chosen or listed, so that a missing optional one breaks nothing else.
// Loading is an Effect; a module that cannot be imported is a defect, while "not usable here" is
// the plugin's own probe's answer.
import type { Effect } from "effect"
import type { AnyInputError, BackendPlugin } from "@peftlab/core"

/** A `backend` name: its plugin, imported only when chosen or listed, so a missing one breaks nothing else. */
export interface BackendEntry {
  readonly name: string
  readonly load: () => Effect.Effect<BackendPlugin, AnyInputError>
}
