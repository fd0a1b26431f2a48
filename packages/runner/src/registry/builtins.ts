// A registry holding every built-in entry. Each call makes a fresh one, so the plugins one
// spec loads never leak into another's.
import { makeRegistry } from "@peftlab/core"
import { builtinAdapterKinds } from "./adapters.ts"
import { builtinBackends } from "./backends.ts"
import { builtinDatasetKinds } from "./datasets.ts"
import { registryCategories, type PeftlabCategories, type PeftlabRegistry } from "./entries.ts"
import { builtinMetrics } from "./metrics.ts"
import { builtinReporters } from "./reporters.ts"

export const builtinRegistry = (): PeftlabRegistry => {
  const registry = makeRegistry<PeftlabCategories>(registryCategories)
  for (const entry of builtinDatasetKinds) registry.add("datasets", entry)
  for (const entry of builtinAdapterKinds) registry.add("adapters", entry)
  for (const entry of builtinMetrics) registry.add("metrics", entry)
  for (const entry of builtinReporters) registry.add("reporters", entry)
  for (const entry of builtinBackends) registry.add("backends", entry)
  return registry
}
