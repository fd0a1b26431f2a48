export * from "./fixed-task.ts"
