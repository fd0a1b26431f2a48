// The lean backward pass: the same gradients as tfjs's own, to the bit, with the memory held
// during the pass no longer growing with the depth of the graph. The tests first take tfjs's
// own results, then install the patch (it is global and cannot be removed) and compare.
import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { installLeanBackprop } from "../src/lean-backprop.ts"

/** An identity op that records the number of live tensors when its gradient runs. */
const probe = (record: (liveTensors: number) => void) =>
  tf.customGrad((...args) => {
    const x = args[0] as tf.Tensor
    return {
      value: x.clone(),
      gradFunc: (dy: tf.Tensor) => {
        record(tf.memory().numTensors)
        return dy.clone()
      },
    }
  })

/** Tensors alive when the first op of a chain of `depth` ops gets its gradient, beyond those alive when the last one did. */
const heldDuringBackward = (depth: number): number => {
  let [first, last] = [0, 0]
  const x = tf.variable(tf.linspace(0.1, 1, 8), true, `chain-${depth}-${Math.random()}`)
  const { value, grads } = tf.variableGrads(() => {
    let y = probe((n) => (first = n))(x)
    for (let i = 0; i < depth; i++) y = tf.sin(y).mul(1.01).add(0.5)
    return probe((n) => (last = n))(y).sum() as tf.Scalar
  }, [x])
  tf.dispose([value, grads, x])
  return first - last
}

// Branches (x used twice), ops with several outputs (split), pass-through gradients (a custom
// gradient returning its dy itself, add of a constant), a scaling custom gradient, a broadcast.
const mixed = (x: tf.Tensor) => {
  const [a, b] = tf.split(x.reshape([2, 4]), 2, 1) as [tf.Tensor, tf.Tensor]
  const doubled = tf.customGrad((...args) => ({ value: (args[0] as tf.Tensor).mul(2), gradFunc: (dy: tf.Tensor) => dy.mul(2) }))
  const passThrough = tf.customGrad((...args) => ({ value: (args[0] as tf.Tensor).clone(), gradFunc: (dy: tf.Tensor) => dy }))
  const y = passThrough(a).add(1).reshape([2, 2]).mul(tf.exp(b)).add(doubled(x.reshape([2, 4]).slice([0, 0], [2, 2])))
  return y.mul(x.reshape([2, 4]).sum(1, true)).sum() as tf.Scalar
}

const gradientsOf = (x: tf.Tensor): Array<number> => tf.tidy(() => Array.from(tf.grad(mixed)(x).dataSync()))

describe("installLeanBackprop", () => {
  const x = tf.tensor1d([0.3, -1.2, 0.5, 2.0, -0.7, 0.1, 1.1, -0.4])
  let before: { gradients: Array<number>; held: [number, number] }

  beforeAll(async () => {
    await tf.setBackend("cpu")
    before = { gradients: gradientsOf(x), held: [heldDuringBackward(20), heldDuringBackward(60)] }
    installLeanBackprop()
  })

  it("gives tfjs's own gradients, bit for bit", () => {
    expect(gradientsOf(x)).toEqual(before.gradients)
  })

  it("holds a number of gradient tensors that no longer grows with the depth of the graph", () => {
    // tfjs's own pass holds every op's output gradient (3 ops per link of the chain).
    expect(before.held[1] - before.held[0]).toBeGreaterThanOrEqual(3 * 40)
    const held = [heldDuringBackward(20), heldDuringBackward(60)]
    expect(held[1]).toBe(held[0])
    expect(held[1]).toBeLessThan(before.held[0])
  })

  it("leaks nothing and keeps the caller's dy", () => {
    const dy = tf.onesLike(x)
    const start = tf.memory().numTensors
    const grad = tf.grad((v: tf.Tensor) => tf.sin(v).mul(3))(x, dy)
    expect(dy.isDisposed).toBe(false)
    grad.dispose()
    expect(tf.memory().numTensors).toBe(start)
  })
})
