export * from "./adamw.ts"
export * from "./train.ts"
