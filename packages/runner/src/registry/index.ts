// The run's registry: the built-ins (builtins.ts), a spec's plugins' entries (plugins.ts) and the
// checks of the spec's names against them (check-spec.ts), given to a run as the Registry service
// of @peftlab/plugin-api (builtinRegistryLayer, specRegistryLayer).
import { Effect, Layer } from "effect"
import { Registry, type PeftlabRegistry } from "@peftlab/plugin-api"
import type { LoadedSpec, SpecError } from "@peftlab/spec"
import { builtinRegistry } from "./builtins.ts"
import { checkRegisteredNames } from "./check-spec.ts"
import { loadPlugins, type PluginError } from "./plugins.ts"

export type { AdapterContext, ArmAdapter } from "../arms.ts"
export type { AdapterKind, OwnArmKind } from "./adapters.ts"
export { ownArmKinds } from "./adapters.ts"
export * from "./builtins.ts"
export * from "./check-spec.ts"
export { extraMetricNames, extraMetrics, standardColumns } from "./metrics.ts"
export * from "./plugins.ts"
export { checkNamesWithoutPlugins } from "./unimported-plugins.ts"
export { builtinMethods } from "./builtin-methods.ts"
export { adapterKindOf, armKindNames, builtinMethodArmChecks, describeMethodArm, methodArmChecks, withDecodedOptions } from "./methods.ts"

/** The registry a spec runs with: the built-ins, then its plugins' entries; its names checked against them. */
export const registryFor = (loaded: LoadedSpec): Effect.Effect<PeftlabRegistry, PluginError | SpecError> =>
  Effect.gen(function* () {
    const registry = builtinRegistry()
    yield* loadPlugins(loaded, registry)
    yield* checkRegisteredNames(loaded).pipe(Effect.provideService(Registry, registry))
    return registry
  })

/** The Registry service as a spec runs with it (registryFor): the built-ins and its plugins' entries, its names checked. */
export const specRegistryLayer = (loaded: LoadedSpec): Layer.Layer<Registry, PluginError | SpecError> => Layer.effect(Registry, registryFor(loaded))
