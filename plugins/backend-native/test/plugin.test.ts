// The native backend's matmuls equal a float64 reference within float32 rounding on every shape
// tfjs sends BatchMatMul (transposes, batches, a matrix broadcast against a batch), the shapes it
// cannot take fall back to the wasm plugin's kernel, and the device says which kernel ran; the
// thread count setup() is given (or PEFTLAB_NATIVE_THREADS) is the one it runs and reports, and
// changes no bit of a product; a bad PEFTLAB_NATIVE_THREADS makes it unavailable, saying why.
import * as tf from "@tensorflow/tfjs"
import { loadNativeGemm, threadsVariable } from "@peftlab/native-gemm"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin } from "../src/index.ts"

const unavailable = loadNativeGemm().gemm === undefined

/** Values in [-1, 1) from a fixed sequence, so every case is the same each run. */
const values = (count: number, seed: number) => Float32Array.from({ length: count }, (_, i) => (((i + 1) * 2654435761 * (seed + 1)) % 2000) / 1000 - 1)

/** op(A) · op(B) per batch in float64, and Σ|a·b| per output (the scale of its rounding error). */
const reference = (a: Float32Array, b: Float32Array, batch: [number, number], m: number, n: number, k: number, ta: boolean, tb: boolean) => {
  const products = Math.max(...batch)
  const out = new Float64Array(products * m * n)
  const scale = new Float64Array(products * m * n)
  for (let p = 0; p < products; p++) {
    const [pa, pb] = [batch[0] === 1 ? 0 : p, batch[1] === 1 ? 0 : p]
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let [sum, abs] = [0, 0]
        for (let l = 0; l < k; l++) {
          const x = a[pa * m * k + (ta ? l * m + i : i * k + l)]!
          const y = b[pb * k * n + (tb ? j * k + l : l * n + j)]!
          sum += x * y
          abs += Math.abs(x * y)
        }
        out[(p * m + i) * n + j] = sum
        scale[(p * m + i) * n + j] = abs
      }
  }
  return { out, scale }
}

describe.skipIf(unavailable)("the native backend", () => {
  beforeAll(() => plugin.setup())

  it.each([
    { m: 7, n: 13, k: 5, batch: [1, 1] as [number, number], ta: false, tb: false },
    { m: 33, n: 65, k: 130, batch: [3, 3] as [number, number], ta: false, tb: true },
    { m: 1, n: 9, k: 300, batch: [2, 2] as [number, number], ta: true, tb: false },
    { m: 17, n: 40, k: 31, batch: [4, 1] as [number, number], ta: true, tb: true },
    { m: 256, n: 172, k: 64, batch: [1, 2] as [number, number], ta: false, tb: true },
  ])("$m×$k · $k×$n, batches $batch, transposes $ta/$tb: within 1e-5 of Σ|a·b| of float64", async ({ m, n, k, batch, ta, tb }) => {
    const [a, b] = [values(batch[0] * m * k, 1), values(batch[1] * k * n, 2)]
    const shapeA = [...(batch[0] > 1 ? [batch[0]] : []), ...(ta ? [k, m] : [m, k])]
    const shapeB = [...(batch[1] > 1 ? [batch[1]] : []), ...(tb ? [n, k] : [k, n])]
    const product = tf.matMul(tf.tensor(a, shapeA), tf.tensor(b, shapeB), ta, tb)
    const got = await product.data()
    const { out, scale } = reference(a, b, batch, m, n, k, ta, tb)
    expect(got.length).toBe(out.length)
    const worst = Math.max(...Array.from(got, (value, i) => Math.abs(value - out[i]!) / Math.max(scale[i]!, 1e-30)))
    expect(worst).toBeLessThan(1e-5)
    product.dispose()
  })

  it("sends batches broadcast other than a matrix against a batch to the wasm kernel, with the same values", async () => {
    const [a, b] = [values(2 * 3 * 4 * 5, 3), values(2 * 5 * 6, 4)]
    const broadcast = tf.matMul(tf.tensor(a, [2, 3, 4, 5]), tf.tensor(b, [2, 1, 5, 6]))
    const perPair = tf.stack([0, 1, 2].map((j) => tf.matMul(tf.tensor(a, [2, 3, 4, 5]).slice([0, j], [2, 1]).reshape([2, 4, 5]), tf.tensor(b, [2, 5, 6]))), 1)
    expect(broadcast.shape).toEqual([2, 3, 4, 6])
    const [x, y] = [await broadcast.data(), await perPair.data()]
    expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]!)))).toBeLessThan(1e-5)
  })

  it("names the kernel it runs in its device line", async () => {
    const device = await plugin.device()
    expect(device.description).toMatch(/native GEMM \((avx512|avx2|sse2)\)/)
    expect(tf.getBackend()).toBe("wasm")
  })

  it("runs its products on the threads setup() is given, PEFTLAB_NATIVE_THREADS over them, with the same values bit for bit", async () => {
    // 2·256·384·320 flops: enough to be split across threads.
    const [a, b] = [tf.tensor(values(256 * 320, 5), [256, 320]), tf.tensor(values(384 * 320, 6), [384, 320])]
    const productOn = async (threads: number) => {
      await plugin.setup({ threads })
      const product = tf.matMul(a, b, false, true)
      const bits = new Uint32Array((await product.data()).slice().buffer)
      product.dispose()
      return { bits, device: await plugin.device() }
    }
    const one = await productOn(1)
    expect(one.device).toMatchObject({ threads: 1, description: expect.stringContaining("on 1)") })
    for (const threads of [2, 3, 8]) {
      const split = await productOn(threads)
      expect(split.device).toMatchObject({ threads, description: expect.stringContaining(`on ${threads})`) })
      expect(split.bits).toEqual(one.bits)
    }
    process.env[threadsVariable] = "2"
    try {
      expect((await productOn(5)).device.threads).toBe(2)
    } finally {
      delete process.env[threadsVariable]
      await plugin.setup()
    }
    tf.dispose([a, b])
  })

  it("is unavailable, saying why, when PEFTLAB_NATIVE_THREADS is not a thread count", async () => {
    for (const written of ["0", "two", "1.5", "100000"]) {
      process.env[threadsVariable] = written
      try {
        expect(await plugin.probe()).toEqual({ available: false, reason: `PEFTLAB_NATIVE_THREADS=${written}: expected an integer from 1 to 256` })
        await expect(plugin.setup()).rejects.toThrow(`PEFTLAB_NATIVE_THREADS=${written}`)
      } finally {
        delete process.env[threadsVariable]
      }
    }
    await plugin.setup()
  })
})

describe.runIf(unavailable)("the native backend where no prebuilt loads", () => {
  it("is unavailable with the loader's reason", async () => {
    expect(await plugin.probe()).toEqual({ available: false, reason: expect.stringContaining("native") })
  })
})
