// The backends `--backend` can name. Each is a plugin package loaded only when asked for,
// so a missing optional backend never breaks the others.
import { backendNames, type BackendName } from "@peftlab/spec"
import type { BackendPlugin } from "@peftlab/core"

const plugins: Record<BackendName, () => Promise<BackendPlugin>> = {
  cpu: async () => (await import("@peftlab/backend-cpu")).plugin,
  wasm: async () => (await import("@peftlab/backend-wasm")).plugin,
  webgpu: async () => (await import("@peftlab/backend-webgpu")).plugin,
  "tfjs-node": async () => (await import("@peftlab/backend-tfjs-node")).plugin,
  "tfjs-node-gpu": async () => (await import("@peftlab/backend-tfjs-node-gpu")).plugin,
}

export type BackendStatus =
  | { readonly name: BackendName; readonly available: true; readonly description: string; readonly plugin: BackendPlugin }
  | { readonly name: BackendName; readonly available: false; readonly reason: string }

export const backendStatus = async (name: BackendName): Promise<BackendStatus> => {
  const plugin = await plugins[name]()
  const probe = await plugin.probe()
  return probe.available
    ? { name, available: true, description: plugin.description, plugin }
    : { name, available: false, reason: probe.reason }
}

export const allBackendStatuses = (): Promise<Array<BackendStatus>> => Promise.all(backendNames.map(backendStatus))
