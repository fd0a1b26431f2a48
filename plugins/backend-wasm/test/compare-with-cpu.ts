// Runs one computation on the cpu backend and on wasm, for kernel tests that compare the two.
import * as tf from "@tensorflow/tfjs"
import { expect } from "vitest"

/** `compute` run on `backend` from plain arrays, read back as nested arrays; no tensor outlives it. */
const on = async (backend: "cpu" | "wasm", compute: () => tf.Tensor): Promise<unknown> => {
  await tf.setBackend(backend)
  const before = tf.memory().numTensors
  const result = tf.tidy(compute)
  const values = await result.array()
  result.dispose()
  expect(tf.memory().numTensors).toBe(before)
  return values
}

export const onBoth = async (compute: () => tf.Tensor) => ({ cpu: await on("cpu", compute), wasm: await on("wasm", compute) })

/** Integer values 1, -2, 3, -4, ... in `shape`, distinct enough that a misplaced row shows. */
export const integers = (shape: Array<number>) => {
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(Array.from({ length: size }, (_, i) => (i % 2 === 0 ? i + 1 : -(i + 1))), shape)
}

