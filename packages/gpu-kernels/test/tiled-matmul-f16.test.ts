// tiledMatMul's f16 path, on tfjs's webgpu backend with a shader-f16 device (@peftlab/backend-webgpu
// asks for the feature wherever the adapter has it). Skipped, with the reason printed, where the
// adapter has no shader-f16 or there is no adapter.
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { plugin } from "@peftlab/backend-webgpu"
import { describe, expect, it, vi } from "vitest"
import { shaderF16Support, tiledMatMul } from "../src/index.ts"
import { tiledMatMulKernelName } from "../src/tiled-matmul/tiled-matmul-kernel.ts"
import { expectKernelRun } from "./support/backends.ts"
import { setupWebgpuWithShaderF16 } from "./support/f16-backend.ts"
import { expectNoLeakForwardBackward } from "./support/gradients.ts"
import { expectScaledError, normalMatrix, tensorOf } from "./support/numbers.ts"
import { matMulReference } from "./support/references.ts"

const probe = await plugin.probe()
const unavailable = probe.available ? await setupWebgpuWithShaderF16() : probe.reason
if (unavailable !== undefined) console.warn(`skipping the f16 kernel checks: ${unavailable}`)

// f16 keeps 11 significant bits: its unit roundoff is u = 2^-11 ≈ 4.9e-4 (about 3 decimal digits).
// Rounding a and b to f16 costs each product up to 2u of |a b|, and each of the K fused
// multiply-adds rounds the running sum, at most u of Σ|a b|: in all at most (K + 2) u Σ|a b|.
// Those roundings have random signs, so the error grows like sqrt(K + 2) u Σ|a b| in practice
// (Higham and Mary, 2019); the tests allow 2 sqrt(K + 2) u Σ|a b|, which f32 meets by far and
// no mistake in the tile loop does.
const unitRoundoff = 2 ** -11
const tolerance = (k: number): number => 2 * Math.sqrt(k + 2) * unitRoundoff

type Case = readonly [m: number, k: number, n: number, transposeA: boolean, transposeB: boolean]
const cases: ReadonlyArray<Case> = [
  [1, 1, 1, false, false],
  [3, 5, 7, false, false],
  [33, 65, 31, false, true],
  [64, 32, 96, true, false],
  [70, 300, 45, false, false],
]


describe.skipIf(unavailable !== undefined)("tiledMatMul in f16 on a shader-f16 device", () => {
  it("has shaderF16Support report the feature", () => {
    expect(shaderF16Support()).toEqual({ available: true })
  })

  it.each(cases)("matches the float64 reference for op(a) [%i, %i], op(b) [K, %i] (transposeA %s, transposeB %s) within 2 sqrt(K + 2) 2^-11 Σ|a b|", async (m, k, n, transposeA, transposeB) => {
    const rng = Rng.seeded(m * 1000 + k * 10 + n)
    const a = transposeA ? normalMatrix(rng, k, m) : normalMatrix(rng, m, k)
    const b = transposeB ? normalMatrix(rng, n, k) : normalMatrix(rng, k, n)
    const want = matMulReference(a, b, transposeA, transposeB)
    const [at, bt] = [tensorOf(a), tensorOf(b)]
    const got = await expectKernelRun(tiledMatMulKernelName, true, () => tiledMatMul(at, bt, transposeA, transposeB, { precision: "f16" }).data())
    expectScaledError(`tiledMatMul f16 [${m}, ${k}] x [${k}, ${n}] (${transposeA}, ${transposeB})`, "Σ|a b|", got, want.product, want.magnitude.map((v) => Math.max(v, 1e-30)), tolerance(k))
    tf.dispose([at, bt])
  })

  it("rounds the operands to f16: (1 + 2^-12) + 3 is 4, where f32 keeps 4.000244140625", async () => {
    const [a, b] = [tf.tensor2d([[1 + 2 ** -12, 3]]), tf.tensor2d([[1], [1]])]
    expect(Array.from(await tiledMatMul(a, b, false, false, { precision: "f16" }).data())).toEqual([4])
    expect(Array.from(await tiledMatMul(a, b).data())).toEqual([1 + 2 ** -12 + 3])
    tf.dispose([a, b])
  })

  it("warns of nothing, and leaks no tensor, forward or backward (the gradient is tfjs's f32 matMul)", async () => {
    const warn = vi.spyOn(console, "warn")
    const [a, b] = [tf.randomNormal([40, 50]) as tf.Tensor2D, tf.randomNormal([50, 30]) as tf.Tensor2D]
    await expectNoLeakForwardBackward((x, y) => tiledMatMul(x as tf.Tensor2D, y as tf.Tensor2D, false, false, { precision: "f16" }), [a, b])
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
    tf.dispose([a, b])
  })
})
