export * from "./binomial.ts"
export * from "./bootstrap.ts"
export * from "./mcnemar.ts"
