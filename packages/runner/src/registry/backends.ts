// The built-in backends, one plugin package each under plugins/ (optional peers of the runner),
// imported only when chosen or listed: an optional one that is not installed never breaks the
// others, and choosing it says which package to install instead of failing with a stack.
import { Effect } from "effect"
import { BackendUnavailable, type BackendPlugin } from "@peftlab/core"
import type { BackendEntry } from "@peftlab/plugin-api"

const isMissing = (cause: unknown, packageName: string): boolean =>
  (cause as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND" && String((cause as Error).message).includes(packageName)

/** The backend `name` from package `packageName`, or BackendUnavailable when that package is not installed. */
export const installedBackend = (name: string, packageName: string, load: () => Promise<{ readonly plugin: BackendPlugin }>): BackendEntry => ({
  name,
  load: () =>
    Effect.tryPromise({ try: async () => (await load()).plugin, catch: (cause) => cause }).pipe(
      Effect.catch((cause) =>
        isMissing(cause, packageName)
          ? Effect.fail(new BackendUnavailable({ source: `backend ${name}`, detail: `${packageName} is not installed; install it with "npm install ${packageName}"` }))
          : Effect.die(cause),
      ),
    ),
})

export const builtinBackends: ReadonlyArray<BackendEntry> = [
  installedBackend("cpu", "@peftlab/backend-cpu", () => import("@peftlab/backend-cpu")),
  installedBackend("wasm", "@peftlab/backend-wasm", () => import("@peftlab/backend-wasm")),
  installedBackend("native", "@peftlab/backend-native", () => import("@peftlab/backend-native")),
  installedBackend("webgpu", "@peftlab/backend-webgpu", () => import("@peftlab/backend-webgpu")),
  installedBackend("tfjs-node", "@peftlab/backend-tfjs-node", () => import("@peftlab/backend-tfjs-node")),
  installedBackend("tfjs-node-gpu", "@peftlab/backend-tfjs-node-gpu", () => import("@peftlab/backend-tfjs-node-gpu")),
]
