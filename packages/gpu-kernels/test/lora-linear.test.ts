import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, it } from "vitest"
import { loraLinear, loraLinearComposed, type LoraWeights } from "../src/index.ts"
import { loraLinearKernelName } from "../src/lora-linear/lora-linear-kernel.ts"
import { describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, maxScaledError, normalMatrix, normals, numericalGradient, tensorOf } from "./support/numbers.ts"
import { loraLinearReference } from "./support/references.ts"

// [rows, in, out, rank]: below, at and past the 32×32 output tiles and 32-wide inner steps (which
// run over in + rank), ranks 1 to 100.
const sizes: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 1, 1, 1],
  [3, 5, 7, 2],
  [33, 65, 31, 4],
  [64, 64, 64, 8],
  [70, 200, 45, 16],
  [37, 96, 50, 64],
  [20, 24, 40, 100],
]
const scale = 2


/** x [rows, in] and LoRA weights with an update as large as the base product, as after some training. */
const problem = (rng: Rng, [rows, inFeatures, out, rank]: readonly [number, number, number, number]) => {
  const [x, weight, loraA, loraB] = [normalMatrix(rng, rows, inFeatures), normalMatrix(rng, out, inFeatures), normalMatrix(rng, rank, inFeatures), normalMatrix(rng, out, rank, 1 / rank)]
  const tensors = { x: tensorOf(x), weights: { weight: tensorOf(weight), loraA: tensorOf(loraA), loraB: tensorOf(loraB), scale } satisfies LoraWeights }
  const dispose = () => tf.dispose([tensors.x, tensors.weights.weight, tensors.weights.loraA, tensors.weights.loraB])
  return { matrices: { x, weight, loraA, loraB }, ...tensors, dispose }
}

/** A problem of this size, and the reference's output with the magnitudes to measure errors against. */
const example = (size: readonly [number, number, number, number]) => {
  const { matrices, ...rest } = problem(Rng.seeded(size.reduce((s, v) => s * 100 + v)), size)
  const want = loraLinearReference(matrices.x, matrices.weight, matrices.loraA, matrices.loraB, scale)
  return { ...rest, want: { product: want.product, magnitude: want.magnitude.map((v) => Math.max(v, 1e-30)) } }
}

describeOnBackends("loraLinear", ({ name, runsKernels }) => {
  it.each(sizes)("matches the float64 reference for x [%i, %i], W [%i, in], rank %i within 1e-6 of the sum of term magnitudes", async (...size) => {
    const { x, weights, want, dispose } = example(size)
    const got = await expectKernelRun(loraLinearKernelName, runsKernels, () => loraLinear(x, weights).data())
    expectScaledError(`loraLinear on ${name} [${size}]`, "Σ|terms|", got, want.product, want.magnitude, 1e-6)
    dispose()
  })

  it("has loraLinearComposed take tfjs's ops, to the same tolerance", async () => {
    const { x, weights, want, dispose } = example([33, 65, 31, 4])
    const got = await expectKernelRun(loraLinearKernelName, false, () => loraLinearComposed(x, weights).data())
    expect(maxScaledError(got, want.product, want.magnitude)).toBeLessThan(1e-6)
    dispose()
  })

  it("projects the last axis of x of any rank", async () => {
    // x [2, 1, 2]; W = I; A = [1, 1]; B = [[1], [-1]]; scale 2: y = x + 2 (x₀ + x₁) [1, -1].
    const x = tf.tensor3d([[[1, 2]], [[3, -5]]])
    const weights = { weight: tf.eye(2) as tf.Tensor2D, loraA: tf.tensor2d([[1, 1]]), loraB: tf.tensor2d([[1], [-1]]), scale: 2 }
    const y = loraLinear(x, weights)
    expect(y.shape).toEqual([2, 1, 2])
    expect(Array.from(await y.data())).toEqual([7, -4, -1, -1])
    tf.dispose([x, y, weights.weight, weights.loraA, weights.loraB])
  })

  it("differentiates with respect to x, W, A and B like central differences, within 1e-5 of the largest gradient", async () => {
    const rng = Rng.seeded(6)
    const { matrices, x, weights, dispose } = problem(rng, [5, 9, 6, 3])
    const dy = normals(rng, 5 * 6)
    const upstream = tf.tensor2d(dy, [5, 6])
    const got = await expectKernelRun(loraLinearKernelName, runsKernels, () =>
      gradientValues((...t) => loraLinear(t[0]!, { weight: t[1] as tf.Tensor2D, loraA: t[2] as tf.Tensor2D, loraB: t[3] as tf.Tensor2D, scale }), [x, weights.weight, weights.loraA, weights.loraB], upstream),
    )
    const parts = ["x", "weight", "loraA", "loraB"] as const
    const errors = parts.map((part, i) => {
      const forward = (v: Float64Array) => {
        const m = { ...matrices, [part]: { ...matrices[part], values: v } }
        return loraLinearReference(m.x, m.weight, m.loraA, m.loraB, scale).product
      }
      return errorRelativeToLargest(got[i]!, numericalGradient(forward, matrices[part].values, dy))
    })
    console.log(`loraLinear gradient: max error / max |gradient|: ${parts.map((part, i) => `${part} ${errors[i]!.toExponential(2)}`).join(", ")}`)
    for (const error of errors) expect(error).toBeLessThan(1e-5)
    tf.dispose(upstream)
    dispose()
  })

  it("leaks no tensor, forward or backward", async () => {
    const { x, weights, dispose } = problem(Rng.seeded(8), [40, 50, 30, 4])
    await expectNoLeakForwardBackward((a, b) => loraLinear(a!, { ...weights, loraA: b as tf.Tensor2D }), [x, weights.loraA])
    dispose()
  })

  it("rejects a B whose rank differs from A's", () => {
    const { x, weights, dispose } = problem(Rng.seeded(9), [2, 3, 4, 2])
    const loraB = tf.zeros([4, 3]) as tf.Tensor2D
    expect(() => loraLinear(x, { ...weights, loraB })).toThrow("loraLinear: x [2,3] needs W [out, 3], A [rank, 3], B [out, rank]; got W [4,3], A [2,3], B [4,3]")
    tf.dispose(loraB)
    dispose()
  })
})
