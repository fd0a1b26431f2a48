// What the wasm kernel benchmarks (wasm-elementwise.ts, wasm-attention.ts) time with: tfjs's wasm
// backend computes synchronously, so one call of an op is its work, and each figure is a median.
import * as tf from "@tensorflow/tfjs"

export const median = (values: Array<number>): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Milliseconds of one call of `run`, its outputs disposed after. */
export const timeSync = (run: () => tf.Tensor | Array<tf.Tensor>): number => {
  const start = performance.now()
  const out = run()
  const elapsed = performance.now() - start
  tf.dispose(out)
  return elapsed
}
