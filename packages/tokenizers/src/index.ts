export * from "./errors.ts"
export * from "./pad.ts"
export * from "./template.ts"
export * from "./tokenizer.ts"
