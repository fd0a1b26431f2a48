import { Effect } from "effect"
import type { LoadedSpec, SpecError } from "@peftlab/spec"
import { builtinRegistry } from "./builtins.ts"
import { checkRegisteredNames } from "./check-spec.ts"
import type { PeftlabRegistry } from "./entries.ts"
import { loadPlugins, type PluginError } from "./plugins.ts"

export type { AdapterContext, ArmAdapter } from "../arms.ts"
export type { Selection } from "../selection.ts"
export * from "./builtins.ts"
export * from "./check-spec.ts"
export * from "./entries.ts"
export { extraMetricNames, extraMetrics, standardColumns } from "./metrics.ts"
export * from "./plugins.ts"
export { checkNamesWithoutPlugins } from "./unimported-plugins.ts"
export { adapterKindOf, armKindNames, describePluginArm } from "./methods.ts"

/** The registry a spec runs with: the built-ins, then its plugins' entries; its names checked against them. */
export const registryFor = (loaded: LoadedSpec): Effect.Effect<PeftlabRegistry, PluginError | SpecError> =>
  Effect.gen(function* () {
    const registry = builtinRegistry()
    yield* loadPlugins(loaded, registry)
    yield* checkRegisteredNames(loaded, registry)
    return registry
  })
