// The plugin's BatchMatMul (operands transposed first, batches split into single products on
// tfjs-wasm's fast path) against the cpu backend, for every transpose combination, batched and broadcast
// shapes, and as a gradient. Small integer inputs keep every product and sum exact in float32.
import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin } from "../src/index.ts"
import { onBoth } from "./compare-with-cpu.ts"

/** Values in -3..3, a different pattern per `salt`, so that a swapped operand shows. */
const small = (shape: Array<number>, salt: number) => {
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(Array.from({ length: size }, (_, i) => ((i * 5 + salt) % 7) - 3), shape)
}

/** `shape` with its last two axes swapped: the stored layout of an operand used transposed. */
const swapped = (shape: Array<number>, transpose: boolean) => (transpose ? [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!] : shape)

describe("BatchMatMul on the wasm backend", () => {
  beforeAll(async () => {
    await plugin.setup()
  })

  it("equals the cpu backend for every transpose combination, in 2-D, batched and broadcast", async () => {
    // [a, b]: the shapes as multiplied, before any transpose.
    const cases: Array<[Array<number>, Array<number>]> = [
      [[5, 7], [7, 4]],
      [[3, 5, 7], [3, 7, 4]],
      [[2, 3, 5, 7], [3, 7, 4]],
      [[1, 5, 7], [4, 7, 6]],
      [[4, 2, 5, 7], [4, 2, 7, 3]],
    ]
    for (const [aShape, bShape] of cases) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const { cpu, wasm } = await onBoth(() => tf.matMul(small(swapped(aShape, transposeA), 1), small(swapped(bShape, transposeB), 2), transposeA, transposeB))
          expect(wasm, `a ${aShape} b ${bShape} transposeA ${transposeA} transposeB ${transposeB}`).toEqual(cpu)
        }
      }
    }
  })

  it("gives the cpu backend's gradients through a linear layer's x · Wᵀ", async () => {
    const gradients = (which: 0 | 1) => () => {
      const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.matMul(x, w, false, true).square().sum())([small([6, 5], 3), small([4, 5], 4)])
      return which === 0 ? dx! : dw!
    }
    for (const which of [0, 1] as const) {
      const { cpu, wasm } = await onBoth(gradients(which))
      expect(wasm).toEqual(cpu)
    }
  })

  it("is the kernel registered for wasm, so every matMul on wasm goes through it", async () => {
    await tf.setBackend("wasm")
    const kernel = tf.getKernel("BatchMatMul", "wasm")
    // tfjs's own kernel is named batchMatMul; the plugin's wraps it.
    expect(kernel?.kernelFunc.name).not.toBe("batchMatMul")
  })
})
