// The built-in backends, one plugin package each under plugins/, imported only when chosen
// or listed: an optional one that is not installed never breaks the others.
import type { BackendEntry } from "./entries.ts"

export const builtinBackends: ReadonlyArray<BackendEntry> = [
  { name: "cpu", load: async () => (await import("@peftlab/backend-cpu")).plugin },
  { name: "wasm", load: async () => (await import("@peftlab/backend-wasm")).plugin },
  { name: "webgpu", load: async () => (await import("@peftlab/backend-webgpu")).plugin },
  { name: "tfjs-node", load: async () => (await import("@peftlab/backend-tfjs-node")).plugin },
  { name: "tfjs-node-gpu", load: async () => (await import("@peftlab/backend-tfjs-node-gpu")).plugin },
]
