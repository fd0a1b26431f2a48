export * from "./config.ts"
export { fitIdsToLength } from "./init.ts"
export * from "./prompt-tuning.ts"
export * from "./load.ts"
