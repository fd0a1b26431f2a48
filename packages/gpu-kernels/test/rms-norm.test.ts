import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, it } from "vitest"
import { rmsNorm, rmsNormComposed } from "../src/index.ts"
import { rmsNormKernelName } from "../src/rms-norm/rms-norm-kernel.ts"
import { describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, maxScaledError, normals, numericalGradient } from "./support/numbers.ts"
import { rmsNormReference } from "./support/references.ts"

const eps = 1e-6
// Rows of 1 to 5000 values: below, at and past the 64 and 256 threads of a workgroup.
const shapes: ReadonlyArray<readonly [number, number]> = [[1, 1], [3, 7], [5, 64], [4, 65], [2, 1000], [3, 4095], [2, 5000]]

/** Random x [rows, cols] and weight, the reference's output, and its magnitudes to measure errors against. */
const example = (rows: number, cols: number) => {
  const rng = Rng.seeded(rows * 10_000 + cols)
  const [xs, ws] = [normals(rng, rows * cols, 2), normals(rng, cols)]
  const want = rmsNormReference(xs, ws, eps)
  const [x, weight] = [tf.tensor2d(xs, [rows, cols]), tf.tensor1d(ws)]
  return { x, weight, want, relative: want.map((v) => Math.max(Math.abs(v), 1e-12)), dispose: () => tf.dispose([x, weight]) }
}

describeOnBackends("rmsNorm", ({ name, runsKernels }) => {
  it.each(shapes)("matches the float64 reference for x [%i, %i] within 1e-5 of each value", async (rows, cols) => {
    const { x, weight, want, relative, dispose } = example(rows, cols)
    const got = await expectKernelRun(rmsNormKernelName, runsKernels, () => rmsNorm(x, weight, eps).data())
    expectScaledError(`rmsNorm on ${name} [${rows}, ${cols}]`, "|value|", got, want, relative, 1e-5)
    dispose()
  })

  it("has rmsNormComposed take tfjs's ops, to the same tolerance", async () => {
    const { x, weight, want, relative, dispose } = example(4, 65)
    const got = await expectKernelRun(rmsNormKernelName, false, () => rmsNormComposed(x, weight, eps).data())
    expect(maxScaledError(got, want, relative)).toBeLessThan(1e-5)
    dispose()
  })

  it("keeps x's shape and normalises over its last axis", async () => {
    const values = [[[3, 4], [0, 2]], [[1, 1], [-6, 8]]]
    const y = rmsNorm(tf.tensor3d(values), tf.tensor1d([1, 10]), 0)
    expect(y.shape).toEqual([2, 2, 2])
    // rms([3, 4]) = sqrt(12.5); rms([0, 2]) = sqrt(2); rms([1, 1]) = 1; rms([-6, 8]) = sqrt(50)
    const want = [3 / Math.sqrt(12.5), 40 / Math.sqrt(12.5), 0, 20 / Math.sqrt(2), 1, 10, -6 / Math.sqrt(50), 80 / Math.sqrt(50)]
    expect(maxScaledError(await y.data(), want, want.map(() => 1))).toBeLessThan(1e-6)
  })

  it("differentiates like the float64 reference's central differences, within 1e-5 of the largest gradient", async () => {
    const [rows, cols] = [3, 70]
    const rng = Rng.seeded(3)
    const [xs, ws, dy] = [normals(rng, rows * cols), normals(rng, cols), normals(rng, rows * cols)]
    const [x, weight, upstream] = [tf.tensor2d(xs, [rows, cols]), tf.tensor1d(ws), tf.tensor2d(dy, [rows, cols])]
    const [dx, dw] = await expectKernelRun(rmsNormKernelName, runsKernels, () =>
      gradientValues((a, b) => rmsNorm(a!, b as tf.Tensor1D, eps), [x, weight], upstream),
    )
    const wantDx = numericalGradient((v) => rmsNormReference(v, ws, eps), xs, dy)
    const wantDw = numericalGradient((v) => rmsNormReference(xs, v, eps), ws, dy)
    const errors = [errorRelativeToLargest(dx!, wantDx), errorRelativeToLargest(dw!, wantDw)]
    console.log(`rmsNorm gradient: max error / max |gradient|: x ${errors[0]!.toExponential(2)}, weight ${errors[1]!.toExponential(2)}`)
    for (const error of errors) expect(error).toBeLessThan(1e-5)
    tf.dispose([x, weight, upstream])
  })

  it("leaks no tensor, forward or backward", async () => {
    const [x, weight] = [tf.randomNormal([6, 300]), tf.randomNormal([300]) as tf.Tensor1D]
    await expectNoLeakForwardBackward((a, b) => rmsNorm(a!, b as tf.Tensor1D, eps), [x, weight])
    tf.dispose([x, weight])
  })

  it("rejects a weight that does not match x's last axis", () => {
    const [x, weight] = [tf.zeros([2, 3]), tf.ones([4]) as tf.Tensor1D]
    expect(() => rmsNorm(x, weight, eps)).toThrow("rmsNorm: weight [4] must be [3], x's last axis (x is [2,3])")
    tf.dispose([x, weight])
  })
})
