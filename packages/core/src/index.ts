export * from "./backend.ts"
export * from "./events.ts"
export * from "./input-error.ts"
export * from "./rng.ts"
