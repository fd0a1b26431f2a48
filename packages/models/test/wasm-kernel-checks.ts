// What the tests of the wasm plugin's C kernels share: seeded standard-normal inputs, and a check
// that the kernels under test really ran (not the composed ops they fall back to).
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, vi } from "vitest"

/** A tensor of `shape` with normal values of standard deviation `scale`, from `seed`. */
export const normals = (seed: number, shape: ReadonlyArray<number>, scale = 1): tf.Tensor => {
  const rng = Rng.seeded(seed)
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * scale), [...shape])
}

/** Runs `use` and checks that each named wasm kernel ran during it. */
export const expectKernelsRun = <A>(kernelNames: ReadonlyArray<string>, use: () => A): A => {
  const spies = kernelNames.map((name) => vi.spyOn(tf.getKernel(name, "wasm")!, "kernelFunc"))
  try {
    const result = use()
    spies.forEach((spy, i) => expect(spy.mock.calls.length, kernelNames[i]).toBeGreaterThan(0))
    return result
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
}
