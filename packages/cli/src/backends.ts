// The backends a run can use: the registry's entries (the built-ins under plugins/, and any a
// spec's plugins add). Each plugin is imported only when asked for, so a missing optional
// backend never breaks the others.
import type { BackendPlugin } from "@peftlab/core"
import { builtinRegistry, type BackendEntry, type PeftlabRegistry } from "@peftlab/runner"

export type BackendStatus =
  | { readonly name: string; readonly available: true; readonly description: string; readonly plugin: BackendPlugin }
  | { readonly name: string; readonly available: false; readonly reason: string }

export const backendStatus = async (entry: BackendEntry): Promise<BackendStatus> => {
  const plugin = await entry.load()
  const probe = await plugin.probe()
  return probe.available
    ? { name: entry.name, available: true, description: plugin.description, plugin }
    : { name: entry.name, available: false, reason: probe.reason }
}

export const allBackendStatuses = (registry: PeftlabRegistry = builtinRegistry()): Promise<Array<BackendStatus>> =>
  Promise.all(registry.entries("backends").map(backendStatus))
