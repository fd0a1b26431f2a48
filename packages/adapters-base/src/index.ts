export * from "./adapter.ts"
export * from "./frozen-base.ts"
export * from "./snapshot.ts"
export * from "./peft-files.ts"
