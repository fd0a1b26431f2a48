// The backends the benchmark can run on, by name, each set up through its peftlab plugin.
import type { BackendPlugin, BackendSetup } from "@peftlab/core"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as native } from "@peftlab/backend-native"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"

export const backendPlugins: Readonly<Record<string, BackendPlugin>> = { cpu, wasm, native, webgpu }

export const setUpBackend = async (name: string, options: BackendSetup = {}): Promise<void> => {
  const plugin = backendPlugins[name]
  if (!plugin) throw new Error(`no backend "${name}" (expected one of ${Object.keys(backendPlugins).join(", ")})`)
  await plugin.setup(options)
}
