export * from "./fixed-task.ts"
export * from "./tiny-checkpoints.ts"
