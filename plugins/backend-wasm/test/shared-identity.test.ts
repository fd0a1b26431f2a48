// The wasm plugin's Identity shares its input's data: a clone (and so every tensor tfjs's tape
// saves for the backward pass) costs no heap, reads the same values, and outlives its source.
import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin } from "../src/index.ts"

interface HeapBackend {
  readonly wasm: { readonly HEAPU8: Uint8Array }
  numDataIds(): number
}

describe("Identity on wasm", () => {
  beforeAll(() => plugin.setup())

  it("clones without copying: no new data, the same values, alive after the source is freed", async () => {
    const backend = tf.backend() as unknown as HeapBackend
    const x = tf.tensor2d([[1.5, -2], [0, 3.25]])
    const dataIds = backend.numDataIds()
    const copy = tf.clone(x)
    expect(backend.numDataIds()).toBe(dataIds)
    x.dispose()
    expect(await copy.array()).toEqual([[1.5, -2], [0, 3.25]])
    copy.dispose()
    expect(backend.numDataIds()).toBe(dataIds - 1)
  })

  it("keeps a saved variable's value through an assign, and gradients through saved tensors are right", async () => {
    const w = tf.variable(tf.tensor1d([2, -1]))
    const saved = tf.clone(w)
    w.assign(tf.tensor1d([5, 5]))
    expect(await saved.array()).toEqual([2, -1])
    // d/dx sum(x * w * x) = 2 x w: the tape saves x and w through Identity.
    const x = tf.tensor1d([3, 4])
    const grad = tf.grad((v: tf.Tensor) => v.mul(w).mul(v).sum())(x)
    expect(await grad.array()).toEqual([30, 40])
    tf.dispose([w, saved, x, grad])
  })

  it("still copies string tensors, which live outside the heap", async () => {
    const s = tf.tensor1d(["a", "b"], "string")
    const copy = tf.clone(s)
    s.dispose()
    expect(await copy.array()).toEqual(["a", "b"])
    copy.dispose()
  })
})
