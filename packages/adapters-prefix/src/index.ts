export * from "./config.ts"
export { createPrefixTuning, prefixTensorName, type PrefixTuning } from "./prefix-tuning.ts"
export { loadPrefixTuning } from "./load.ts"
export * from "./peft-config.ts"
