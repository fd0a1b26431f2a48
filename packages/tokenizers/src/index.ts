export * from "./errors.ts"
export * from "./pad.ts"
export * from "./templates/index.ts"
export * from "./tokenizer.ts"
