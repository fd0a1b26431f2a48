import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, it, vi } from "vitest"
import { shaderF16Support, tiledMatMul } from "../src/index.ts"
import { tiledMatMulKernelName } from "../src/tiled-matmul/tiled-matmul-kernel.ts"
import { describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, normals, numericalGradient, tensorOf } from "./support/numbers.ts"
import { matMulReference, type Matrix } from "./support/references.ts"

// [M, K, N]: single elements, sizes below, at and past the 32×32 output tiles and 16-wide inner
// steps; each stored layout on the sizes that span several tiles. (Each case that tfjs keys
// differently costs a shader compile, about a second on lavapipe.)
const layouts = [[false, false], [true, false], [false, true], [true, true]] as const
type Case = readonly [m: number, k: number, n: number, transposeA: boolean, transposeB: boolean]
const cases: ReadonlyArray<Case> = [
  [1, 1, 1, false, false],
  [3, 5, 7, false, false],
  [64, 32, 96, false, false],
  ...[[33, 65, 31] as const, [70, 300, 45] as const].flatMap((size) => layouts.map(([transposeA, transposeB]): Case => [...size, transposeA, transposeB])),
]

/** Random operands of op(a) [M, K] and op(b) [K, N], stored as the flags say. */
const operands = (rng: Rng, [m, k, n]: readonly [number, number, number], transposeA: boolean, transposeB: boolean) => {
  const a: Matrix = transposeA ? { values: normals(rng, k * m), rows: k, cols: m } : { values: normals(rng, m * k), rows: m, cols: k }
  const b: Matrix = transposeB ? { values: normals(rng, n * k), rows: n, cols: k } : { values: normals(rng, k * n), rows: k, cols: n }
  return { a, b }
}

describeOnBackends("tiledMatMul", ({ name, runsKernels }) => {
  it.each(cases)("matches the float64 reference for op(a) [%i, %i], op(b) [K, %i] (transposeA %s, transposeB %s) within 1e-6 Σ|a b|", async (m, k, n, transposeA, transposeB) => {
    const { a, b } = operands(Rng.seeded(m * 1000 + k * 10 + n), [m, k, n], transposeA, transposeB)
    const want = matMulReference(a, b, transposeA, transposeB)
    const [at, bt] = [tensorOf(a), tensorOf(b)]
    const product = await expectKernelRun(tiledMatMulKernelName, runsKernels, async () => tiledMatMul(at, bt, transposeA, transposeB))
    expect(product.shape).toEqual([m, n])
    const got = await product.data()
    expectScaledError(`tiledMatMul on ${name} [${m}, ${k}] x [${k}, ${n}] (${transposeA}, ${transposeB})`, "Σ|a b|", got, want.product, want.magnitude.map((v) => Math.max(v, 1e-30)), 1e-6)
    tf.dispose([at, bt, product])
  })

  it.each(layouts)("differentiates like central differences (transposeA %s, transposeB %s), within 1e-5 of the largest gradient", async (transposeA, transposeB) => {
    const rng = Rng.seeded(5)
    const { a, b } = operands(rng, [5, 6, 7], transposeA, transposeB)
    const dy = normals(rng, 5 * 7)
    const [at, bt, upstream] = [tensorOf(a), tensorOf(b), tf.tensor2d(dy, [5, 7])]
    const [da, db] = await expectKernelRun(tiledMatMulKernelName, runsKernels, () =>
      gradientValues((x, y) => tiledMatMul(x as tf.Tensor2D, y as tf.Tensor2D, transposeA, transposeB), [at, bt], upstream),
    )
    const wantDa = numericalGradient((v) => matMulReference({ ...a, values: v }, b, transposeA, transposeB).product, a.values, dy)
    const wantDb = numericalGradient((v) => matMulReference(a, { ...b, values: v }, transposeA, transposeB).product, b.values, dy)
    const errors = [errorRelativeToLargest(da!, wantDa), errorRelativeToLargest(db!, wantDb)]
    console.log(`tiledMatMul gradient (${transposeA}, ${transposeB}): max error / max |gradient|: a ${errors[0]!.toExponential(2)}, b ${errors[1]!.toExponential(2)}`)
    for (const error of errors) expect(error).toBeLessThan(1e-5)
    tf.dispose([at, bt, upstream])
  })

  // tiled-matmul-f16.test.ts checks the f16 path itself, on a device that has the feature.
  it("computes in f32 where f16 cannot run, warning once with shaderF16Support()'s reason", async (context) => {
    const support = shaderF16Support()
    if (support.available) return context.skip("this device runs f16")
    expect(support.reason).toMatch(name === "cpu" ? "tfjs runs on cpu" : "created without the 'shader-f16' feature")
    const warn = vi.spyOn(console, "warn")
    const { a, b } = operands(Rng.seeded(4), [33, 65, 31], false, true)
    const [at, bt] = [tensorOf(a), tensorOf(b)]
    const read = (precision: "f16" | "f32") =>
      expectKernelRun(tiledMatMulKernelName, runsKernels, async () => {
        const product = tiledMatMul(at, bt, false, true, { precision })
        const values = await product.data()
        product.dispose()
        return Array.from(values)
      })
    const [first, second, f32] = [await read("f16"), await read("f16"), await read("f32")]
    expect([first, second]).toEqual([f32, f32])
    expect(warn.mock.calls).toEqual([[`tiledMatMul: computing in f32 rather than f16: ${support.reason}`]])
    warn.mockRestore()
    tf.dispose([at, bt])
  })

  it("leaks no tensor, forward or backward", async () => {
    const [a, b] = [tf.randomNormal([40, 50]) as tf.Tensor2D, tf.randomNormal([50, 30]) as tf.Tensor2D]
    await expectNoLeakForwardBackward((x, y) => tiledMatMul(x as tf.Tensor2D, y as tf.Tensor2D), [a, b])
    tf.dispose([a, b])
  })

  it("rejects operands whose inner sizes differ", () => {
    const [a, b] = [tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 5]) as tf.Tensor2D]
    expect(() => tiledMatMul(a, b)).toThrow("tiledMatMul: a [2,3] and b [4,5] must be matrices with the same inner size")
    tf.dispose([a, b])
  })
})
