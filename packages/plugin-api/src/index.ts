// @peftlab/plugin-api: the contracts plugins implement, so that a plugin depends on these types
// and never on the runner that loads it.
export * from "./method.ts"
