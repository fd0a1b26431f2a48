// The native backend's packed-weight matmul, called as @peftlab/models calls it (runKernel with the
// wasm plugin's attributes): x · Wᵀ and x · W by bf16 and NF4 weights (blocks of 64 and of 37),
// with and without a bias, equal tf.matMul by the widened weight within 1e-5 of Σ|x·w| (both
// float32, summed in different orders); the NF4 values it multiplies by are the wasm packed
// kernel's, bit for bit; a storage it does not take reaches the wasm plugin's kernel; a weight that
// does not fit is refused without leaving a tensor behind.
import * as tf from "@tensorflow/tfjs"
import { loadPackedMatMul, packedMatMulKernelName, type PackedMatMulAttrs, type PackedWeight } from "@peftlab/backend-wasm"
import { dequantizeNf4, quantizeNf4 } from "@peftlab/models"
import { loadNativeGemm } from "@peftlab/native-gemm"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin } from "../src/index.ts"

const unavailable = loadNativeGemm().gemm === undefined

/** Values in [-1, 1) from a fixed sequence, so every case is the same each run. */
const values = (count: number, seed: number) => Float32Array.from({ length: count }, (_, i) => (((i + 1) * 2654435761 * (seed + 1)) % 2000) / 1000 - 1)

/** W [rows, cols] of `values` kept as bf16 (truncated) or NF4, and the float32 values it stands for. */
const packed = (storage: "BF16" | "NF4", rows: number, cols: number, blockSize = 64): { weight: PackedWeight; widened: Float32Array } => {
  const flat = values(rows * cols, rows + cols)
  if (storage === "NF4") {
    const quantized = quantizeNf4(flat, blockSize)
    return { weight: { storage, shape: [rows, cols], quantized }, widened: dequantizeNf4(quantized) }
  }
  const bits = Uint16Array.from(new Uint32Array(flat.buffer), (word) => word >>> 16)
  return { weight: { storage, shape: [rows, cols], bytes: new Uint8Array(bits.buffer) }, widened: new Float32Array(Uint32Array.from(bits, (half) => half << 16).buffer) }
}

const packedMatMul = (x: tf.Tensor2D, weight: PackedWeight, transposeWeight: boolean, bias?: tf.Tensor1D) => {
  const attrs: PackedMatMulAttrs = { weight, transposeWeight }
  return tf.engine().runKernel(packedMatMulKernelName, bias ? { x, bias } : { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D
}

describe.skipIf(unavailable)("the native backend's packed-weight matmul", () => {
  beforeAll(() => plugin.setup())

  it.each([
    { storage: "BF16", blockSize: 64, transposeWeight: true, bias: false },
    { storage: "BF16", blockSize: 64, transposeWeight: false, bias: true },
    { storage: "NF4", blockSize: 64, transposeWeight: true, bias: true },
    { storage: "NF4", blockSize: 64, transposeWeight: false, bias: false },
    { storage: "NF4", blockSize: 37, transposeWeight: true, bias: false },
    { storage: "NF4", blockSize: 37, transposeWeight: false, bias: true },
  ] as const)("$storage (blocks of $blockSize), transposeWeight $transposeWeight, bias $bias: tf.matMul by the widened weight within 1e-5 of Σ|x·w|", async ({ storage, blockSize, transposeWeight, bias }) => {
    const [m, rows, cols] = [37, 45, 300]
    const { weight, widened } = packed(storage, rows, cols, blockSize)
    const depth = transposeWeight ? cols : rows
    const x = tf.tensor2d(values(m * depth, 7), [m, depth])
    const w = tf.tensor2d(widened, [rows, cols])
    const b = bias ? tf.tensor1d(values(transposeWeight ? rows : cols, 9)) : undefined
    const got = packedMatMul(x, weight, transposeWeight, b)
    const [expected, scale] = tf.tidy(() => {
      const product = tf.matMul(x, w, false, transposeWeight)
      const magnitude = tf.matMul(x.abs(), w.abs(), false, transposeWeight)
      return b ? [product.add(b), magnitude.add(b.abs())] : [product, magnitude]
    })
    expect(got.shape).toEqual(expected!.shape)
    const worst = tf.tidy(() => got.sub(expected!).abs().div(scale!.maximum(1e-30)).max().dataSync()[0]!)
    expect(worst).toBeLessThan(1e-5)
    tf.dispose([x, w, b, got, expected, scale])
  })

  it("multiplies by the NF4 values the wasm packed kernel dequantizes, bit for bit (x the identity)", async () => {
    const [rows, cols] = [45, 301]
    const { weight } = packed("NF4", rows, cols, 37)
    const identity = tf.eye(rows) as tf.Tensor2D
    const native = packedMatMul(identity, weight, false)
    const wasmKernel = (await loadPackedMatMul()).run({ weight, transposeWeight: false, x: identity.dataSync() as Float32Array, m: rows })
    expect(new Uint32Array((await native.data()).buffer)).toEqual(new Uint32Array(wasmKernel.slice().buffer))
    tf.dispose([identity, native])
  })

  it("hands a storage it does not take to the wasm plugin's kernel, and refuses a weight that does not fit x without leaking a tensor", () => {
    const x = tf.tensor2d(values(6, 1), [2, 3])
    const f16 = { storage: "F16", shape: [4, 3], bytes: new Uint8Array(24) } as unknown as PackedWeight
    expect(() => packedMatMul(x, f16, true)).toThrow(/packed matmul takes NF4 or BF16 weights, got F16/)
    const tensors = tf.memory().numTensors
    const short = { storage: "BF16", shape: [4, 3], bytes: new Uint8Array(22) } as const
    expect(() => packedMatMul(x, short, true)).toThrow(/bf16 weight \[4, 3\]: expected 24 bytes/)
    expect(tf.memory().numTensors).toBe(tensors)
    x.dispose()
  })
})
