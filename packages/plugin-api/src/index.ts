// @peftlab/plugin-api: the contracts plugins implement, so that a plugin depends on these types
// and never on the runner that loads it.
export * from "./backend-entry.ts"
export * from "./dataset-kind.ts"
export * from "./finished-arm.ts"
export * from "./method.ts"
export * from "./metric.ts"
export * from "./options.ts"
export * from "./plugin.ts"
export * from "./registry.ts"
export * from "./reporter.ts"
export * from "./selection.ts"
