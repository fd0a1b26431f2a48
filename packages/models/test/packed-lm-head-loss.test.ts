// The chunked LM-head loss (nextTokenLosses) over a frozen NF4 or bf16 head on wasm, where the
// plugin registers the packed-weight matmul: the head's multiplyByWeight gives dx = dlogits W
// through that kernel (counted), and the losses and the gradient for the hidden states equal, bit
// for bit, those of the same head built with the kernel unregistered (no multiplyByWeight: W
// widened once by readWeight, then XNNPACK), for nn.Linear's [out, in] and Conv1D's [in, out]
// layouts; no tensor is left behind.
import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { frozenLinear } from "../src/frozen/frozen-linear.ts"
import type { FrozenMatrix } from "../src/frozen/frozen-matrix.ts"
import { nf4Matrix } from "../src/frozen/nf4-matrix.ts"
import { storedMatrix } from "../src/frozen/stored-matrix.ts"
import type { Linear } from "../src/layers/linear.ts"
import { nextTokenLosses } from "../src/lm/next-token-losses.ts"
import { quantizeNf4 } from "../src/quantization/nf4.ts"
import { countedPackedKernel } from "./counted-packed-kernel.ts"

const normals = (size: number, seed: number): Float32Array => {
  const rng = Rng.seeded(seed)
  return Float32Array.from({ length: size }, () => rng.normal())
}

/** The values truncated to bf16, as the bytes of a bf16 checkpoint. */
const bf16Bytes = (values: Float32Array): Uint8Array => new Uint8Array(Uint16Array.from(new Uint32Array(values.buffer.slice(0)), (w) => w >>> 16).buffer)

const matrixOf = (storage: "NF4" | "BF16", shape: [number, number], seed: number): FrozenMatrix => {
  const values = normals(shape[0] * shape[1], seed).map((v) => v * 0.1)
  return storage === "NF4" ? nf4Matrix(quantizeNf4(values), shape) : storedMatrix("BF16", shape, bf16Bytes(values))
}

/** The losses and d(sum(losses * weights))/d hidden, as host arrays. */
const lossAndGradient = async (head: Linear, hidden: tf.Tensor3D, ids: tf.Tensor2D, weights: tf.Tensor2D, chunkRows: number) => {
  const f = (h: tf.Tensor) => nextTokenLosses(head, h as tf.Tensor3D, ids, chunkRows)
  const { value, grad } = tf.valueAndGrad((h: tf.Tensor) => f(h).mul(weights).sum())(hidden)
  const losses = f(hidden)
  const out = { losses: (await losses.data()) as Float32Array, dHidden: (await grad.data()) as Float32Array }
  tf.dispose([value, grad, losses])
  return out
}

describe("nextTokenLosses over a packed head on wasm", () => {
  const kernel = countedPackedKernel()

  // A 300-word vocabulary crosses the kernel's 256-wide panels; 2 x 40 tokens give 78 rows, in
  // chunks of 32 (the last one shorter).
  it.each((["NF4", "BF16"] as const).flatMap((storage) => [false, true].map((transposed) => [storage, transposed] as const)))(
    "%s head (stored transposed: %s): losses and dx bit for bit as with W widened by readWeight",
    async (storage, storedTransposed) => {
      const [batch, time, width, vocab, chunkRows] = [2, 40, 48, 300, 32]
      const chunks = Math.ceil((batch * (time - 1)) / chunkRows)
      const matrix = matrixOf(storage, storedTransposed ? [width, vocab] : [vocab, width], 5)
      const hidden = tf.tensor3d(normals(batch * time * width, 6), [batch, time, width])
      const ids = tf.tensor2d(Int32Array.from(normals(batch * time, 7), (v) => Math.floor(Math.abs(v) * 97) % vocab), [batch, time], "int32")
      const weights = tf.tensor2d(normals(batch * (time - 1), 8), [batch, time - 1])
      const before = tf.memory().numTensors

      const packedHead = frozenLinear("lm_head", matrix, undefined, storedTransposed)
      expect(packedHead.multiplyByWeight).toBeDefined()
      kernel.calls = 0
      const packed = await lossAndGradient(packedHead, hidden, ids, weights, chunkRows)
      // The forward pass per chunk twice (in the gradient, then alone), dx per chunk once.
      expect(kernel.calls).toBe(3 * chunks)
      expect(tf.memory().numTensors).toBe(before)

      kernel.remove()
      const widenedHead = frozenLinear("lm_head", matrix, undefined, storedTransposed)
      expect(widenedHead.multiplyByWeight).toBeUndefined()
      const widened = await lossAndGradient(widenedHead, hidden, ids, weights, chunkRows)
      kernel.restore()
      expect(tf.memory().numTensors).toBe(before)

      expect(Array.from(packed.losses)).toEqual(Array.from(widened.losses))
      expect(Array.from(packed.dHidden)).toEqual(Array.from(widened.dHidden))
      tf.dispose([hidden, ids, weights])
    },
  )

  it("widens per call if the kernel is gone after the head was built", async () => {
    const matrix = matrixOf("BF16", [7, 5], 1)
    const head = frozenLinear("lm_head", matrix)
    kernel.remove()
    const before = tf.memory().numTensors
    const [dy, expected, actual] = tf.tidy(() => {
      const g = tf.tensor2d(normals(3 * 7, 2), [3, 7])
      const w = head.readWeight()
      return [g, tf.matMul(g, w), head.multiplyByWeight!(g)]
    })
    expect(tf.memory().numTensors).toBe(before + 3)
    expect(actual!.shape).toEqual([3, 5])
    expect(Array.from(await actual!.data())).toEqual(Array.from(await expected!.data()))
    tf.dispose([dy!, expected!, actual!])
  })
})
