// Hand-written weights for the toy configs: every value exactly representable in float32, so
// the expected outputs can be worked out by hand in float64.
import { expect } from "vitest"
import type { Weights } from "../src/index.ts"

/** Tensors from nested arrays: a list is shape [n], a list of rows [rows, cols]. */
export const toyWeights = (tensors: Record<string, ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>>): Weights =>
  new Map(
    Object.entries(tensors).map(([name, value]) => {
      const rows = value.map((row) => (typeof row === "number" ? [row] : [...row]))
      const shape = typeof value[0] === "number" ? [value.length] : [value.length, rows[0]?.length ?? 0]
      return [name, { shape, data: Float32Array.from(rows.flat()) }]
    }),
  )

/** A rows x cols matrix of zeros: a module whose output the test switches off. */
export const zeros = (rows: number, cols: number): number[][] => Array.from({ length: rows }, () => Array<number>(cols).fill(0))

/** gelu_new(1) = 0.5 (1 + tanh(sqrt(2 / pi) (1 + 0.044715))) and the exact gelu(1) = 0.5 (1 + erf(1 / sqrt 2)). */
export const geluNewOfOne = 0.8411919906082768
export const geluOfOne = 0.8413447460685429

/** Float64 results of float32-exact inputs agree with the worked-out values to rounding: 12 decimal places. */
export const expectClose = (got: ReadonlyArray<ReadonlyArray<number>>, expected: ReadonlyArray<ReadonlyArray<number>>): void => {
  expect(got.map((row) => row.length)).toEqual(expected.map((row) => row.length))
  got.forEach((row, t) => row.forEach((v, i) => expect(v, `row ${t}, value ${i}`).toBeCloseTo(expected[t]![i]!, 12)))
}
