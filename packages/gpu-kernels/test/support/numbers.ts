// Test inputs and comparisons. Inputs are float32 values (as tensors hold them), which the float64
// references read exactly, so the only difference left is the kernel's own rounding.
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect } from "vitest"
import type { Matrix } from "./references.ts"

export const normals = (rng: Rng, length: number, std = 1): Float32Array => Float32Array.from({ length }, () => std * rng.normal())

/** A rows x cols matrix of normal values with standard deviation `std`. */
export const normalMatrix = (rng: Rng, rows: number, cols: number, std = 1): Matrix => ({ values: normals(rng, rows * cols, std), rows, cols })

/** The matrix as a float32 tensor, holding exactly the values the references read. */
export const tensorOf = (m: Matrix): tf.Tensor2D => tf.tensor2d(Float32Array.from(m.values), [m.rows, m.cols])

/**
 * The largest |got - want| / scale over the elements, where scale is what the error is allowed to
 * grow with (e.g. Σ|aᵢ bᵢ| for a dot product). NaN where they disagree on NaN.
 */
export const maxScaledError = (got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>): number => {
  if (got.length !== want.length) throw new Error(`lengths differ: ${got.length} and ${want.length}`)
  let max = 0
  for (let i = 0; i < got.length; i++) {
    const [g, w] = [got[i] as number, want[i] as number]
    if (Number.isNaN(g) !== Number.isNaN(w)) return Number.NaN
    if (!Number.isNaN(w)) max = Math.max(max, Math.abs(g - w) / (scale[i] as number))
  }
  return max
}

/**
 * The gradient of Σ f(x) ⊙ upstream with respect to x, by central differences in float64: an
 * estimate that shares nothing with the analytic gradients under test (its error is O(h²)).
 */
export const numericalGradient = (f: (x: Float64Array) => ArrayLike<number>, x: ArrayLike<number>, upstream: ArrayLike<number>, h = 1e-5): Float64Array => {
  const weighted = (values: ArrayLike<number>) => Array.from(values).reduce((sum, v, i) => sum + v * (upstream[i] as number), 0)
  const point = Float64Array.from(x)
  return point.map((value, i) => {
    point[i] = value + h
    const up = weighted(f(point))
    point[i] = value - h
    const down = weighted(f(point))
    point[i] = value
    return (up - down) / (2 * h)
  })
}

/**
 * Checks maxScaledError(got, want, scale) < limit, and prints it (the measured error is part of
 * what the kernel tests report): `label` names the case, `scaleName` what the error is divided by.
 */
export const expectScaledError = (label: string, scaleName: string, got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, limit: number): void => {
  const error = maxScaledError(got, want, scale)
  console.log(`${label}: max error / ${scaleName} ${error.toExponential(2)}, allowed ${limit.toExponential(2)}`)
  expect(error).toBeLessThan(limit)
}
