// The packed-weight matmul kernel (NF4 codes, bf16 bits) against a float64 reference of
// dequantize-then-matmul, on shapes that leave partial micro-tiles (odd M, N and K not a multiple
// of the SIMD width or of the 4x8 tile), NF4 blocks that straddle rows, and panels past one
// 256x256 block; through tfjs's engine, leaving no tensor behind.
import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { packedMatMulKernelName, plugin, type PackedWeight } from "../src/index.ts"

// bitsandbytes' NF4 levels (functional.py's get_4bit_type("nf4")), as float32.
const levels = Float32Array.of(
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
)

/** A seeded generator in [0, 1) (mulberry32), so a failure reproduces. */
const uniform = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** A random weight [rows, cols] in `storage`, and its values as the kernel must read them (float64). */
const randomWeight = (storage: "NF4" | "BF16", rows: number, cols: number, blockSize: number, seed: number): { weight: PackedWeight; values: Float64Array } => {
  const next = uniform(seed)
  const size = rows * cols
  const values = new Float64Array(size)
  if (storage === "BF16") {
    const halves = new Uint16Array(size)
    const word = new Float32Array(1)
    const bits = new Uint32Array(word.buffer)
    for (let i = 0; i < size; i++) {
      word[0] = next() * 2 - 1
      halves[i] = bits[0]! >>> 16
      bits[0] = halves[i]! << 16
      values[i] = word[0]
    }
    return { weight: { storage, shape: [rows, cols], bytes: new Uint8Array(halves.buffer) }, values }
  }
  const codes = new Uint8Array(new SharedArrayBuffer(Math.ceil(size / 2)))
  const absmax = new Float32Array(new SharedArrayBuffer(Math.ceil(size / blockSize) * 4))
  for (let b = 0; b < absmax.length; b++) absmax[b] = 0.01 + next()
  for (let i = 0; i < size; i++) {
    const code = Math.floor(next() * 16)
    codes[i >> 1]! |= i % 2 === 0 ? code << 4 : code
    values[i] = Math.fround(levels[code]! * absmax[Math.floor(i / blockSize)]!)
  }
  return { weight: { storage, shape: [rows, cols], quantized: { codes, absmax, length: size, blockSize } }, values }
}

const randomValues = (size: number, seed: number): Float32Array => {
  const next = uniform(seed)
  return Float32Array.from({ length: size }, () => next() * 2 - 1)
}

const run = async (x: Float32Array, m: number, depth: number, weight: PackedWeight, transposeWeight: boolean, bias?: Float32Array): Promise<Float32Array> => {
  const n = transposeWeight ? weight.shape[0] : weight.shape[1]
  const result = tf.tidy(() => {
    const inputs: tf.NamedTensorMap = { x: tf.tensor2d(x, [m, depth]), ...(bias && { bias: tf.tensor1d(bias) }) }
    return tf.engine().runKernel(packedMatMulKernelName, inputs, { weight, transposeWeight } as unknown as tf.NamedAttrMap) as tf.Tensor
  })
  expect(result.shape).toEqual([m, n])
  const values = (await result.data()) as Float32Array
  result.dispose()
  return values
}

describe("the packed-weight matmul on the wasm backend", () => {
  beforeAll(async () => {
    await plugin.setup()
  })

  it("is registered for wasm by the plugin's setup", () => {
    expect(tf.getKernel(packedMatMulKernelName, "wasm")).toBeDefined()
  })

  // [m, rows, cols, blockSize]: W [rows, cols]. Blocks of 64 along a row of 70 straddle rows; blocks
  // of 7 are odd and start on odd elements; 300 x 270 x 600 crosses the 256-wide panels both ways.
  const shapes: Array<[number, number, number, number]> = [
    [1, 1, 1, 64],
    [5, 13, 70, 64],
    [7, 33, 129, 64],
    [3, 9, 300, 7],
    [4, 8, 64, 64],
    [9, 17, 3, 5],
    [33, 270, 600, 64],
    [300, 64, 257, 64],
  ]
  it.each((["NF4", "BF16"] as const).flatMap((storage) => shapes.flatMap((shape) => [true, false].map((t) => [storage, ...shape, t] as const))))(
    "%s: x [%i, ·] by W [%i, %i] (blocks of %i), transposed %s, within float32 summation's error bound of the float64 reference",
    async (storage, m, rows, cols, blockSize, transposeWeight) => {
      const seed = m * 1000003 + rows * 1009 + cols * 7 + (transposeWeight ? 1 : 0)
      const { weight, values } = randomWeight(storage, rows, cols, blockSize, seed)
      const [depth, n] = transposeWeight ? [cols, rows] : [rows, cols]
      const x = randomValues(m * depth, seed + 1)
      const bias = m % 2 === 1 ? randomValues(n, seed + 2) : undefined
      const before = tf.memory().numTensors
      const y = await run(x, m, depth, weight, transposeWeight, bias)
      expect(tf.memory().numTensors).toBe(before)
      let worst = 0
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = bias?.[j] ?? 0
          let magnitude = Math.abs(sum)
          for (let k = 0; k < depth; k++) {
            const term = x[i * depth + k]! * values[transposeWeight ? j * cols + k : k * cols + j]!
            sum += term
            magnitude += Math.abs(term)
          }
          // A float32 dot product of depth terms (plus the bias) is within γ(depth + 1) Σ|terms| of
          // the exact one, γ(n) = n u / (1 - n u), u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1).
          const u = 2 ** -24
          const bound = (((depth + 1) * u) / (1 - (depth + 1) * u)) * magnitude
          worst = Math.max(worst, Math.abs(y[i * n + j]! - sum) / (bound || 1))
        }
      }
      expect(worst).toBeLessThanOrEqual(1)
    },
  )

  it("refuses a weight whose bytes do not cover its shape", async () => {
    const { weight } = randomWeight("BF16", 4, 6, 64, 3)
    const short: PackedWeight = { storage: "BF16", shape: [4, 7], bytes: (weight as { bytes: Uint8Array }).bytes }
    await expect(run(randomValues(14, 1), 2, 7, short, true)).rejects.toThrow(/bf16 weight \[4, 7\] needs 56 bytes, got 48/)
  })
})
