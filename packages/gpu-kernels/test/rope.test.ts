// The rope op (rotary position embeddings fused with the split into heads) against a float64
// plain-loop reference of HF's apply_rotary_pos_emb on every backend the kernel tests run on: its
// values, its gradient for x against central differences, its shape checks, and no leaks. No
// backend here has a fused kernel, so this is the composed path the wasm plugin's kernel is
// compared with (packages/models/test/wasm-rope-kernel.test.ts).
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, it } from "vitest"
import { rope } from "../src/index.ts"
import { describeOnBackends } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, normals, numericalGradient } from "./support/numbers.ts"

interface Case {
  readonly batch: number
  readonly time: number
  readonly heads: number
  readonly headDim: number
  readonly positions: number
  readonly scale: number
}

/**
 * y [b, heads, t, d] for x [b, t, heads·d]: for each head vector v at position p, with halves
 * (v1, v2), scale · (v cos[p] + concat(v2, v1) sin[p]), the table's sign on rotate_half's −v2.
 */
const ropeReference = (x: ArrayLike<number>, cos: ArrayLike<number>, sin: ArrayLike<number>, positions: ArrayLike<number>, { batch, time, heads, headDim, scale }: Case): Float64Array => {
  const [y, half] = [new Float64Array(x.length), headDim / 2]
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const row = (positions[b * time + t] as number) * headDim
      for (let h = 0; h < heads; h++) {
        const [from, to] = [((b * time + t) * heads + h) * headDim, ((b * heads + h) * time + t) * headDim]
        for (let i = 0; i < headDim; i++) {
          const partner = i < half ? i + half : i - half
          y[to + i] = scale * ((x[from + i] as number) * (cos[row + i] as number) + (x[from + partner] as number) * (sin[row + i] as number))
        }
      }
    }
  }
  return y
}

/** Random x, random tables (the op takes any; the models' are cos and signed sin) and positions spread over the table. */
const example = (c: Case, seed: number) => {
  const rng = Rng.seeded(seed)
  const xs = normals(rng, c.batch * c.time * c.heads * c.headDim)
  const [cosValues, sinValues] = [normals(rng, c.positions * c.headDim), normals(rng, c.positions * c.headDim)]
  const positionValues = Int32Array.from({ length: c.batch * c.time }, () => rng.int(c.positions))
  const tensors = {
    x: tf.tensor3d(xs, [c.batch, c.time, c.heads * c.headDim]),
    cos: tf.tensor2d(cosValues, [c.positions, c.headDim]),
    sin: tf.tensor2d(sinValues, [c.positions, c.headDim]),
    positions: tf.tensor2d(positionValues, [c.batch, c.time], "int32"),
  }
  return { xs, cosValues, sinValues, positionValues, ...tensors, dispose: () => tf.dispose(Object.values(tensors)) }
}

// Llama's GQA pair (8 query heads, 4 key heads of 8: stories260k), 64-wide heads (SmolLM2), odd
// batches and times, a half of 3 (not a whole vector of 4), scale 1 and the query's 1/sqrt(d).
const cases: ReadonlyArray<Case> = [
  { batch: 3, time: 5, heads: 8, headDim: 8, positions: 16, scale: 1 / Math.sqrt(8) },
  { batch: 3, time: 5, heads: 4, headDim: 8, positions: 16, scale: 1 },
  { batch: 1, time: 7, heads: 3, headDim: 64, positions: 9, scale: 0.125 },
  { batch: 2, time: 3, heads: 2, headDim: 6, positions: 4, scale: -1.5 },
]

describeOnBackends("rope", ({ name }) => {
  it.each(cases)("matches the float64 reference for %o within 1e-6 of the largest |value|", async (c) => {
    const e = example(c, c.heads * 100 + c.headDim)
    const y = rope(e.x, e.cos, e.sin, e.positions, c)
    expect(y.shape).toEqual([c.batch, c.heads, c.time, c.headDim])
    const want = ropeReference(e.xs, e.cosValues, e.sinValues, e.positionValues, c)
    const largest = Math.max(...Array.from(want, Math.abs))
    expectScaledError(`rope on ${name} ${JSON.stringify(c)}`, "max |value|", await y.data(), want, want.map(() => largest), 1e-6)
    tf.dispose(y)
    e.dispose()
  })

  it.each(cases)("differentiates x like the reference's central differences for %o, within 1e-6 of the largest gradient", async (c) => {
    const e = example(c, c.time * 100 + c.headDim)
    const upstream = normals(Rng.seeded(7), c.batch * c.heads * c.time * c.headDim)
    const dy = tf.tensor4d(upstream, [c.batch, c.heads, c.time, c.headDim])
    const [dx] = await gradientValues((x) => rope(x as tf.Tensor3D, e.cos, e.sin, e.positions, c), [e.x], dy)
    // The op is linear in x, so central differences are exact up to float64 rounding.
    const want = numericalGradient((x) => ropeReference(x, e.cosValues, e.sinValues, e.positionValues, c), e.xs, upstream)
    const error = errorRelativeToLargest(dx!, want)
    console.log(`rope gradient on ${name}: max error / max |gradient| ${error.toExponential(2)}`)
    expect(error).toBeLessThan(1e-6)
    tf.dispose(dy)
    e.dispose()
  })

  // The wasm plugin's kernel refuses such a position too (packages/models/test/wasm-rope-kernel.test.ts).
  it.runIf(name === "cpu")("fails on a position outside the tables, as tf.gather does on cpu", () => {
    const e = example(cases[1]!, 1)
    const outside = tf.fill([3, 5], 16, "int32") as tf.Tensor2D
    expect(() => rope(e.x, e.cos, e.sin, outside, cases[1]!)).toThrow("GatherV2: the index value 16 is not in [0, 15]")
    tf.dispose(outside)
    e.dispose()
  })

  it("leaks no tensor, forward or backward", async () => {
    const e = example(cases[1]!, 2)
    await expectNoLeakForwardBackward((x) => rope(x as tf.Tensor3D, e.cos, e.sin, e.positions, cases[1]!), [e.x])
    e.dispose()
  })

  it("rejects x whose last axis is not heads·headDim, odd head sizes and float positions", () => {
    const e = example(cases[1]!, 3)
    expect(() => rope(e.x, e.cos, e.sin, e.positions, { heads: 3 })).toThrow("rope: x [3,5,32] must be [batch, time, heads·headDim] = [.., .., 3·8]")
    const odd = tf.zeros([16, 7]) as tf.Tensor2D
    expect(() => rope(e.x, odd, odd, e.positions, { heads: 4 })).toThrow("rope: cos [16,7] and sin [16,7] must be one [maxPositions, even headDim]")
    const floats = e.positions.toFloat()
    expect(() => rope(e.x, e.cos, e.sin, floats, { heads: 4 })).toThrow("rope: positions must be int32, got float32")
    tf.dispose([odd, floats])
    e.dispose()
  })
})
