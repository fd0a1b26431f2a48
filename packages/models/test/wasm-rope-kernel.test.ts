// On wasm, @peftlab/gpu-kernels' rope op (rotary position embeddings fused with the split into
// heads) runs the wasm plugin's C kernels, forward and gradient, and matches ropeComposed (the
// split, gathers, split/concat and transpose it replaces) on wasm within 1e-6 of the largest
// |value| and |gradient|: Llama's GQA pair of query and key heads, head sizes 8 and 64 and one
// whose half is not a whole vector, odd batches and times, scales other than 1. A position
// outside the tables is refused before anything is read or allocated.
import * as tf from "@tensorflow/tfjs"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { rope, ropeComposed, ropeGradKernelName, ropeKernelName, type RopeOptions } from "@peftlab/gpu-kernels"
import { beforeAll, describe, expect, it } from "vitest"
import { expectKernelsRun, normals } from "./wasm-kernel-checks.ts"

const tolerance = 1e-6

interface Case extends Required<RopeOptions> {
  readonly batch: number
  readonly time: number
  readonly headDim: number
  readonly positions: number
}

const cases: ReadonlyArray<Case> = [
  // stories260k: 8 query heads and 4 key heads of 8, the query scaled by 1/sqrt(8).
  { batch: 3, time: 5, heads: 8, headDim: 8, positions: 16, scale: 1 / Math.sqrt(8) },
  { batch: 3, time: 5, heads: 4, headDim: 8, positions: 16, scale: 1 },
  // SmolLM2's heads of 64.
  { batch: 1, time: 7, heads: 9, headDim: 64, positions: 9, scale: 0.125 },
  { batch: 5, time: 33, heads: 3, headDim: 64, positions: 40, scale: 1 },
  // Halves of 3 and 5: the kernel's partial vectors.
  { batch: 2, time: 3, heads: 2, headDim: 6, positions: 4, scale: -1.5 },
  { batch: 1, time: 1, heads: 1, headDim: 10, positions: 1, scale: 2 },
]

/** Random x and tables (the op takes any; the models' are cos and signed sin), positions spread over the tables. */
const example = ({ batch, time, heads, headDim, positions }: Case, seed: number) => {
  const x = normals(seed, [batch, time, heads * headDim], 2) as tf.Tensor3D
  const [cos, sin] = [normals(seed + 1, [positions, headDim]), normals(seed + 2, [positions, headDim])] as [tf.Tensor2D, tf.Tensor2D]
  const at = tf.tidy(() => tf.randomUniform([batch, time], 0, positions, "int32", seed) as tf.Tensor2D)
  return { x, cos, sin, at, dispose: () => tf.dispose([x, cos, sin, at]) }
}

/** max |got − want| / max |want|. */
const scaledError = (got: tf.Tensor, want: tf.Tensor): number =>
  tf.tidy(() => got.sub(want).abs().max().dataSync()[0]! / Math.max(want.abs().max().dataSync()[0]!, 1e-30))

describe("the wasm plugin's fused rotary position embeddings", () => {
  beforeAll(() => wasm.setup())

  it.each(cases)("matches the composed ops on %o, values and the gradient for x", (c) => {
    const { x, cos, sin, at, dispose } = example(c, c.time * 10 + c.headDim)
    tf.tidy(() => {
      const upstream = normals(99, [c.batch, c.heads, c.time, c.headDim])
      const objective = (f: typeof rope) => (input: tf.Tensor) => f(input as tf.Tensor3D, cos, sin, at, c).mul(upstream).sum()
      const [got, gotGrad] = expectKernelsRun([ropeKernelName, ropeGradKernelName], () => [rope(x, cos, sin, at, c), tf.grad(objective(rope))(x)] as const)
      const [want, wantGrad] = [ropeComposed(x, cos, sin, at, c), tf.grad(objective(ropeComposed))(x)]
      expect([got.shape, gotGrad.shape]).toEqual([want.shape, x.shape])
      const [valueError, gradientError] = [scaledError(got, want), scaledError(gotGrad, wantGrad)]
      console.log(`rope ${JSON.stringify(c)}: scaled error of values ${valueError.toExponential(1)}, of the gradient ${gradientError.toExponential(1)}`)
      expect(valueError).toBeLessThan(tolerance)
      expect(gradientError).toBeLessThan(tolerance)
    })
    dispose()
  })

  it("leaks no tensor, forward or backward", () => {
    const c = cases[0]!
    const { x, cos, sin, at, dispose } = example(c, 1)
    const before = tf.memory().numTensors
    const { value, grad } = expectKernelsRun([ropeKernelName, ropeGradKernelName], () => tf.valueAndGrad((input: tf.Tensor) => rope(input as tf.Tensor3D, cos, sin, at, c).sum())(x))
    tf.dispose([value, grad])
    expect(tf.memory().numTensors).toBe(before)
    dispose()
  })

  it.each([16, -1])("refuses position %i of a 16-row table, forward and backward, leaving nothing behind", (position) => {
    const c = cases[1]!
    const { x, cos, sin, dispose } = example(c, 2)
    // Positions 0..14, but `position` at index 7.
    const outside = tf.tensor2d(Int32Array.from({ length: 15 }, (_, i) => (i === 7 ? position : i)), [3, 5], "int32")
    const before = tf.memory()
    const message = `position ${position} (at 7) is outside the tables' rows [0, 15]`
    expect(() => rope(x, cos, sin, outside, c)).toThrow(new RangeError(`${ropeKernelName}: ${message}`))
    const dy = tf.zeros([3, 4, 5, 8])
    expect(() => tf.engine().runKernel(ropeGradKernelName, { dy, cos, sin, positions: outside }, { heads: 4, headDim: 8, scale: 1 })).toThrow(
      new RangeError(`${ropeGradKernelName}: ${message}`),
    )
    tf.dispose(dy)
    expect([tf.memory().numTensors, tf.memory().numBytes]).toEqual([before.numTensors, before.numBytes])
    tf.dispose(outside)
    dispose()
  })
})
