// A registry holding every built-in entry, and the Registry layer that gives it. Each call (and
// each build of the layer) makes a fresh one, so the plugins one spec loads never leak into another's.
import { Layer } from "effect"
import { makeRegistry } from "@peftlab/core"
import { Registry, registryCategories, type PeftlabCategories, type PeftlabRegistry } from "@peftlab/plugin-api"
import { builtinBackends } from "./backends.ts"
import { builtinMethods } from "./builtin-methods.ts"
import { builtinDatasetKinds } from "./datasets.ts"
import { builtinMetrics } from "./metrics.ts"
import { builtinReporters } from "./reporters.ts"

export const builtinRegistry = (): PeftlabRegistry => {
  const registry = makeRegistry<PeftlabCategories>(registryCategories)
  for (const entry of builtinDatasetKinds) registry.add("datasets", entry)
  for (const entry of builtinMethods) registry.add("methods", entry)
  for (const entry of builtinMetrics) registry.add("metrics", entry)
  for (const entry of builtinReporters) registry.add("reporters", entry)
  for (const entry of builtinBackends) registry.add("backends", entry)
  return registry
}

/** The Registry service as the built-ins alone, a fresh registry each time it is provided. */
export const builtinRegistryLayer: Layer.Layer<Registry> = Layer.fresh(Layer.sync(Registry, builtinRegistry))
