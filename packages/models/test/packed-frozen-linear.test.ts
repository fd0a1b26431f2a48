// frozenLinear over NF4 and bf16 matrices on wasm, where the plugin registers the packed-weight
// matmul: the forward pass and dx = dy W go through that kernel (counted), and equal the widening
// path's bit for bit (the same module with the kernel unregistered: W widened to float32, then
// XNNPACK), for nn.Linear's [out, in] and Conv1D's [in, out] layouts, with and without a bias; no
// tensor is left behind. F16 matrices, which the kernel does not take, widen.
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { frozenLinear } from "../src/frozen/frozen-linear.ts"
import type { FrozenMatrix } from "../src/frozen/frozen-matrix.ts"
import { nf4Matrix } from "../src/frozen/nf4-matrix.ts"
import { usesPackedKernel } from "../src/frozen/packed-matmul-op.ts"
import { storedMatrix } from "../src/frozen/stored-matrix.ts"
import { quantizeNf4 } from "../src/quantization/nf4.ts"
import { countedPackedKernel } from "./counted-packed-kernel.ts"

const normals = (size: number, seed: number): Float32Array => {
  const rng = Rng.seeded(seed)
  return Float32Array.from({ length: size }, () => rng.normal())
}

/** The values rounded to bf16 (truncated, as the bytes of a bf16 checkpoint would hold them), as bytes. */
const bf16Bytes = (values: Float32Array): Uint8Array => {
  const words = new Uint32Array(values.buffer.slice(0))
  return new Uint8Array(Uint16Array.from(words, (w) => w >>> 16).buffer)
}

const matrixOf = (storage: "NF4" | "BF16" | "F16", shape: [number, number], seed: number): FrozenMatrix => {
  const values = normals(shape[0] * shape[1], seed)
  if (storage === "NF4") return nf4Matrix(quantizeNf4(values), shape)
  if (storage === "BF16") return storedMatrix("BF16", shape, bf16Bytes(values))
  return storedMatrix("F16", shape, new Uint8Array(shape[0] * shape[1] * 2))
}

/** y and dx = d(sum(y * g))/dx for `x` through `linear`, as host arrays. */
const forwardAndGradient = async (apply: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, g: tf.Tensor) => {
  const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => apply(input).mul(g).sum())(x)
  const y = tf.tidy(() => apply(x))
  const out = { y: (await y.data()) as Float32Array, dx: (await grad.data()) as Float32Array }
  tf.dispose([value, grad, y])
  return out
}

describe("frozenLinear on wasm through the packed-weight matmul", () => {
  const kernel = countedPackedKernel()

  // [batch, time, in, out]: odd sizes leave partial tiles; 2 x 37 rows by 600 -> 300 crosses the
  // kernel's 256 x 256 panels in both products.
  it.each((["NF4", "BF16"] as const).flatMap((storage) => [false, true].flatMap((transposed) => [false, true].map((withBias) => [storage, transposed, withBias] as const))))(
    "%s (stored transposed: %s, bias: %s): forward and dx bit for bit as the widening path's",
    async (storage, storedTransposed, withBias) => {
      const [batch, time, inFeatures, outFeatures] = [2, 37, 600, 300]
      const matrix = matrixOf(storage, storedTransposed ? [inFeatures, outFeatures] : [outFeatures, inFeatures], 7)
      const bias = withBias ? tf.tensor1d(normals(outFeatures, 8)) : undefined
      const x = tf.tensor3d(normals(batch * time * inFeatures, 9), [batch, time, inFeatures])
      const g = tf.tensor3d(normals(batch * time * outFeatures, 10), [batch, time, outFeatures])
      const module = frozenLinear("m", matrix, bias, storedTransposed)
      const before = tf.memory().numTensors
      expect(usesPackedKernel(matrix)).toBe(true)
      kernel.calls = 0
      const packed = await forwardAndGradient((input) => module.apply(input), x, g)
      // Forward twice (in the gradient, then alone) and dx once.
      expect(kernel.calls).toBe(3)
      expect(tf.memory().numTensors).toBe(before)

      kernel.remove()
      expect(usesPackedKernel(matrix)).toBe(false)
      const widened = await forwardAndGradient((input) => module.apply(input), x, g)
      kernel.restore()
      expect(tf.memory().numTensors).toBe(before)

      // Both sum each dot product's float32 products in order with wasm SIMD mul then add (no
      // FMA: neither tfjs-wasm 4.22's XNNPACK nor the kernel uses relaxed SIMD), the kernel's
      // accumulators carrying over from one panel of W to the next, so the sums are identical.
      expect(Array.from(packed.y)).toEqual(Array.from(widened.y))
      expect(Array.from(packed.dx)).toEqual(Array.from(widened.dx))
      tf.dispose([x, g, ...(bias ? [bias] : [])])
    },
  )

  it("leaves F16 matrices, which the kernel does not take, on the widening path", async () => {
    const matrix = matrixOf("F16", [6, 5], 1)
    expect(usesPackedKernel(matrix)).toBe(false)
    const module = frozenLinear("m", matrix)
    kernel.calls = 0
    const y = tf.tidy(() => module.apply(tf.ones([3, 5])))
    expect(y.shape).toEqual([3, 6])
    expect(kernel.calls).toBe(0)
    y.dispose()
  })
})
