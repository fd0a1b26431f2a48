// The ops with their own gradients (attention, RMSNorm, SwiGLU, RoPE) against the same
// computation composed of plain tfjs ops, differentiated by tfjs's tape: values and gradients
// with respect to every input must agree to float32 rounding (1e-5 absolute on O(1) values).
import * as tf from "@tensorflow/tfjs"
import { mergeHeads } from "@peftlab/gpu-kernels"
import { beforeAll, describe, expect, it } from "vitest"
import { attend } from "../src/layers/attention.ts"
import { linear } from "../src/layers/linear.ts"
import { rmsNorm } from "../src/layers/rms-norm.ts"
import { mlp } from "../src/llama/mlp.ts"
import { makeRope } from "../src/llama/rope.ts"

const tolerance = 1e-5

/** Seeded normal values of `shape`. */
const normal = (shape: Array<number>, seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed)

/** Values and gradients (with respect to every input) of sum(f(inputs) ⊙ r) by both functions. */
const compareGradients = (inputs: Array<tf.Tensor>, fused: (...xs: Array<tf.Tensor>) => tf.Tensor, composed: (...xs: Array<tf.Tensor>) => tf.Tensor) => {
  const weights = normal(fused(...inputs).shape, 99)
  const objective = (f: typeof fused) => (...xs: Array<tf.Tensor>) => f(...xs).mul(weights).sum()
  const [fusedValue, composedValue] = [fused(...inputs), composed(...inputs)]
  expect(fusedValue.shape).toEqual(composedValue.shape)
  expect(fusedValue.sub(composedValue).abs().max().dataSync()[0]).toBeLessThan(tolerance)
  const [fusedGrads, composedGrads] = [tf.grads(objective(fused))(inputs), tf.grads(objective(composed))(inputs)]
  fusedGrads.forEach((g, i) => {
    expect(g.shape, `input ${i}`).toEqual(inputs[i]!.shape)
    expect(g.sub(composedGrads[i]!).abs().max().dataSync()[0], `gradient of input ${i}`).toBeLessThan(tolerance)
  })
}

describe("ops with their own gradients", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu")
  })

  it("attention with grouped-query heads and a per-head bias: values and gradients for q, k, v and the bias", () => {
    tf.tidy(() => {
      // 4 query heads over 2 key/value heads; 5 queries against 7 keys (2 of them past).
      const [q, k, v] = [normal([2, 4, 5, 3], 1), normal([2, 2, 7, 3], 2), normal([2, 2, 7, 3], 3)]
      const composed = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor) => {
        // HF's repeat_kv: key/value head h serves query heads 2h and 2h+1.
        const repeat = (t: tf.Tensor) => tf.gather(t, [0, 0, 1, 1], 1)
        const probabilities = tf.softmax(tf.matMul(q, repeat(k), false, true).add(bias))
        return tf.matMul(probabilities, repeat(v)).transpose([0, 2, 1, 3]).reshape([2, 5, 12])
      }
      const fused = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor) => attend(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, bias as tf.Tensor4D)
      // A T5-like position bias per head (broadcast over the batch), and a mask-like one per row.
      compareGradients([q, k, v, normal([1, 4, 5, 7], 4)], fused, composed)
      compareGradients([q, k, v, normal([2, 1, 5, 7], 5)], fused, composed)
    })
  })

  it("RMSNorm: values and gradients for x and the weight", () => {
    tf.tidy(() => {
      const composed = (x: tf.Tensor, w: tf.Tensor) => x.mul(tf.rsqrt(x.square().mean(-1, true).add(1e-5))).mul(w)
      compareGradients([normal([2, 3, 8], 6), normal([8], 7)], (x, w) => rmsNorm(x as tf.Tensor3D, w as tf.Tensor1D, 1e-5), composed)
    })
  })

  it("the SwiGLU block: values and the gradient for its input", () => {
    tf.tidy(() => {
      const [gate, up, down] = [normal([6, 4], 8), normal([6, 4], 9), normal([4, 6], 10)] as Array<tf.Tensor2D>
      const modules = { gate: linear("gate", gate!), up: linear("up", up!), down: linear("down", down!) }
      const composed = (x: tf.Tensor) => {
        const g = tf.matMul(x.reshape([-1, 4]), gate!, false, true)
        const u = tf.matMul(x.reshape([-1, 4]), up!, false, true)
        return tf.matMul(g.mul(tf.sigmoid(g)).mul(u), down!, false, true).reshape([2, 3, 4])
      }
      compareGradients([normal([2, 3, 4], 11)], (x) => mlp(x as tf.Tensor3D, modules), composed)
    })
  })

  it("RoPE: values and the gradient for the rotated vectors, at arbitrary positions", () => {
    const rope = makeRope(6, 16, 10000)
    tf.tidy(() => {
      const positions = tf.tensor2d([[0, 1, 2, 3], [5, 6, 9, 15]], [2, 4], "int32")
      const composed = (x: tf.Tensor) => {
        // HF: x·cos + rotate_half(x)·sin, with rotate_half(x) = concat(-x2, x1).
        const angles = tf.tensor1d([0, 1, 2].map((i) => 10000 ** (-2 * i / 6)))
        const phase = positions.toFloat().expandDims(-1).mul(angles).expandDims(1)
        const [cos, sin] = [tf.concat([phase.cos(), phase.cos()], -1), tf.concat([phase.sin(), phase.sin()], -1)]
        const [x1, x2] = tf.split(x, 2, -1)
        return x.mul(cos).add(tf.concat([x2!.neg(), x1!], -1).mul(sin))
      }
      // x [batch, heads, time, headDim], as the projection [batch, time, heads·headDim] the op splits.
      compareGradients([normal([2, 3, 4, 6], 12)], (x) => rope.splitHeads(mergeHeads(x as tf.Tensor4D), positions, 3), composed)
    })
    rope.dispose()
  })
})
