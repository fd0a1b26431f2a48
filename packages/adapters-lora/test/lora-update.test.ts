import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin } from "@peftlab/backend-wasm"
import { plusLoraUpdate } from "../src/layer/lora-update.ts"

// The fused branch against the composition it replaces: base + ((x Aᵀ) Bᵀ) · scale, each op on
// tfjs's tape. Float32 sums in another order (the scale on B rather than on the product) agree to
// a few ulps of the values, whose size here is about 1.
const composed = (base: tf.Tensor, x: tf.Tensor, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): tf.Tensor => {
  const rows = x.reshape([-1, a.shape[1]]) as tf.Tensor2D
  return base.add(tf.matMul(tf.matMul(rows, a, false, true), b, false, true).mul(scale).reshape(base.shape))
}

const relativeError = (actual: tf.Tensor, expected: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(actual.sub(expected))).dataSync()[0]! / tf.max(tf.abs(expected)).dataSync()[0]!)

describe("plusLoraUpdate", () => {
  beforeAll(() => plugin.setup())

  it("matches the composed branch in value and in the gradients of base, x, A and B", () => {
    const [batch, time, inFeatures, outFeatures, r, scale] = [2, 5, 6, 4, 3, 2.5]
    const inputs = [
      tf.randomNormal([batch, time, outFeatures], 0, 1, "float32", 1),
      tf.randomNormal([batch, time, inFeatures], 0, 1, "float32", 2),
      tf.randomNormal([r, inFeatures], 0, 1, "float32", 3),
      tf.randomNormal([outFeatures, r], 0, 1, "float32", 4),
    ] as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D]
    // A loss weighting every output differently, so each gradient entry is checked.
    const weights = tf.randomNormal([batch, time, outFeatures], 0, 1, "float32", 5)
    const lossOf = (f: typeof composed) => (base: tf.Tensor, x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => f(base, x, a as tf.Tensor2D, b as tf.Tensor2D, scale).mul(weights).sum()
    const fused = tf.grads(lossOf(plusLoraUpdate))(inputs)
    const reference = tf.grads(lossOf(composed))(inputs)
    expect(relativeError(plusLoraUpdate(...inputs, scale), composed(...inputs, scale))).toBeLessThan(1e-6)
    fused.forEach((gradient, i) => {
      expect(gradient.shape).toEqual(inputs[i]!.shape)
      expect(relativeError(gradient, reference[i]!)).toBeLessThan(1e-6)
    })
    tf.dispose([...inputs, weights, ...fused, ...reference])
  })

  it("frees everything it made but its output once the gradients are taken", () => {
    const [base, x] = [tf.ones([3, 2]), tf.ones([3, 4])]
    const [a, b] = [tf.variable(tf.ones([2, 4])), tf.variable(tf.ones([2, 2]))] as Array<tf.Variable<tf.Rank.R2>>
    const before = tf.memory().numTensors
    const { value, grads } = tf.variableGrads(() => plusLoraUpdate(base, x, a!, b!, 2).sum() as tf.Scalar, [a!, b!])
    // Hand: x Aᵀ = 4 per entry, times 2 B summed over the 2 ranks: 16; plus base 1, over 6 outputs.
    expect(value.dataSync()[0]).toBe(6 * 17)
    expect(tf.memory().numTensors).toBe(before + 3) // the loss and the two gradients
    tf.dispose([value, ...Object.values(grads), base, x, a!, b!])
  })

  it("refuses factors of different ranks", () => {
    const [base, x, a, b] = [tf.zeros([1, 2]), tf.zeros([1, 3]), tf.zeros([2, 3]), tf.zeros([2, 3])] as Array<tf.Tensor2D>
    expect(() => plusLoraUpdate(base!, x!, a!, b!, 1)).toThrow(/differ in rank/)
    tf.dispose([base!, x!, a!, b!])
  })
})
