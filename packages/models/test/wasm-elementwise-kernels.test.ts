// On wasm, @peftlab/gpu-kernels' rmsNorm and swiGlu run the wasm plugin's one-pass C kernels
// (forward and gradient) and match the same computations composed of tfjs ops on wasm: values
// within 1e-6 of the largest |value|, gradients within 1e-5 of the largest |gradient|, on widths
// that are not multiples of the kernels' 4 lanes and at the models' widths (576, 1536, 5632, plus
// one). Gate values reach ±24 so that silu's saturated tails are covered.
import * as tf from "@tensorflow/tfjs"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { rmsNorm, rmsNormComposed, rmsNormGradKernelName, rmsNormKernelName, swiGlu, swiGluGradKernelName, swiGluKernelName } from "@peftlab/gpu-kernels"
import { beforeAll, describe, expect, it } from "vitest"
import { expectKernelsRun, normals } from "./wasm-kernel-checks.ts"

const [valueTolerance, gradientTolerance] = [1e-6, 1e-5]
const eps = 1e-5
// [1, 1] for SwiGLU only: RMSNorm of one value has a gradient of nothing but cancellation (g·r·eps/(x² + eps)).
const shapes: ReadonlyArray<readonly [number, number]> = [[1, 2], [4, 3], [7, 13], [3, 577], [5, 1537], [2, 5633]]

/** max |got − want| / max |want|. */
const scaledError = (got: tf.Tensor, want: tf.Tensor): number =>
  tf.tidy(() => got.sub(want).abs().max().dataSync()[0]! / Math.max(want.abs().max().dataSync()[0]!, 1e-30))

/** Checks values and the gradients of sum(f(inputs) ⊙ r) of `fused` against `composed`. */
const expectMatch = (label: string, kernels: ReadonlyArray<string>, inputs: Array<tf.Tensor>, fused: (...xs: Array<tf.Tensor>) => tf.Tensor, composed: (...xs: Array<tf.Tensor>) => tf.Tensor) =>
  tf.tidy(() => {
    const upstream = normals(99, composed(...inputs).shape)
    const objective = (f: typeof fused) => (...xs: Array<tf.Tensor>) => f(...xs).mul(upstream).sum()
    const [got, gotGrads] = expectKernelsRun(kernels, () => [fused(...inputs), tf.grads(objective(fused))(inputs)] as const)
    const [want, wantGrads] = [composed(...inputs), tf.grads(objective(composed))(inputs)]
    expect(got.shape).toEqual(want.shape)
    const [valueError, gradientErrors] = [scaledError(got, want), gotGrads.map((g, i) => scaledError(g, wantGrads[i]!))]
    console.log(`${label}: scaled error of values ${valueError.toExponential(1)}, of gradients ${gradientErrors.map((e) => e.toExponential(1)).join(", ")}`)
    expect(valueError, `${label}: values`).toBeLessThan(valueTolerance)
    gradientErrors.forEach((error, i) => expect(error, `${label}: gradient of input ${i}`).toBeLessThan(gradientTolerance))
  })

describe("the wasm plugin's one-pass RMSNorm and SwiGLU", () => {
  beforeAll(() => wasm.setup())

  it.each(shapes)("rmsNorm on x [%i, %i] matches the composed ops, values and gradients", (rows, cols) => {
    const [x, weight] = [normals(rows * 31 + cols, [rows, cols], 3), normals(cols, [cols])]
    expectMatch(`rmsNorm [${rows}, ${cols}]`, [rmsNormKernelName, rmsNormGradKernelName], [x, weight], (a, b) => rmsNorm(a!, b as tf.Tensor1D, eps), (a, b) =>
      rmsNormComposed(a!, b as tf.Tensor1D, eps),
    )
    tf.dispose([x, weight])
  })

  it.each([[1, 1] as const, ...shapes])("swiGlu on [%i, %i] matches the composed ops, values and gradients", (rows, cols) => {
    const [gate, up] = [normals(rows * 37 + cols, [rows, cols], 8), normals(cols + 1, [rows, cols])]
    expectMatch(`swiGlu [${rows}, ${cols}]`, [swiGluKernelName, swiGluGradKernelName], [gate, up], (g, u) => swiGlu(g!, u!), (g, u) => g!.mul(tf.sigmoid(g!)).mul(u!))
    tf.dispose([gate, up])
  })

  it("keeps a 3-D input's shape", () => {
    const [x, weight] = [normals(1, [2, 3, 5]), normals(2, [5])]
    const [y, s] = [rmsNorm(x, weight as tf.Tensor1D, eps), swiGlu(x, x)]
    expect([y.shape, s.shape]).toEqual([[2, 3, 5], [2, 3, 5]])
    tf.dispose([x, weight, y, s])
  })
})
