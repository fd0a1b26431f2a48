// The plugin's GEMM (gemm.wasm) on shapes that miss its blocks (4 x 8 tiles, 72-row, 256-deep and
// 512-wide panels): odd M, N and K, one row, K = 1, a K past several panels, every transpose
// combination and broadcast batches. Checked two ways: against a float64 reference, within 1e-5
// of each output's Σ_k |a_ik · b_kj| (a sum in float32 of K terms in order errs by at most about
// K · 2^-24 of it; these stay near 1e-7), and bit for bit against tfjs-wasm's own XNNPACK product
// (transposed first, as the plugin did before), since both sum each output in order of k with
// f32x4 mul then add.
import * as tf from "@tensorflow/tfjs"
import { beforeAll, describe, expect, it } from "vitest"
import { untransposedBatchMatMul } from "../src/kernels/batch-mat-mul.ts"
import { loadGemm, GemmError, plugin, type GemmModule } from "../src/index.ts"

/** Deterministic values in [-1, 1) (a linear congruential sequence from `seed`). */
const values = (size: number, seed: number): Float32Array => {
  let state = seed >>> 0
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 31 - 1
  })
}

/** op(A) · op(B) in float64, and each output's Σ_k |a_ik · b_kj|. */
const reference = (a: Float32Array, b: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean) => {
  const product = new Float64Array(m * n)
  const magnitude = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) {
        const term = (transposeA ? a[p * m + i]! : a[i * k + p]!) * (transposeB ? b[j * k + p]! : b[p * n + j]!)
        product[i * n + j]! += term
        magnitude[i * n + j]! += Math.abs(term)
      }
    }
  }
  return { product, magnitude }
}

const combinations = [false, true].flatMap((transposeA) => [false, true].map((transposeB) => ({ transposeA, transposeB })))

describe("the GEMM module", () => {
  let gemm: GemmModule
  beforeAll(async () => {
    gemm = await loadGemm()
  })

  it("matches a float64 reference within 1e-5 of Σ|a·b| on shapes off its blocks, for every transpose combination", () => {
    // [m, n, k]: odd sizes, one row, K = 1, exact tiles, and K over several 256-deep panels with N past a 512-wide one.
    const shapes = [[7, 13, 5], [1, 37, 300], [9, 1, 17], [11, 10, 1], [4, 8, 256], [77, 530, 3], [5, 9, 1100]] as const
    for (const [m, n, k] of shapes) {
      for (const { transposeA, transposeB } of combinations) {
        const [a, b] = [values(m * k, m + k), values(k * n, n + 3 * k)]
        const got = gemm.run({ a, b, transposeA, transposeB, m, n, k, pairs: [[0, 0]] })
        const { product, magnitude } = reference(a, b, m, n, k, transposeA, transposeB)
        const worst = Math.max(...Array.from(got, (value, i) => Math.abs(value - product[i]!) / magnitude[i]!))
        expect(worst, `[${m}, ${n}, ${k}] transposeA ${transposeA} transposeB ${transposeB}`).toBeLessThan(1e-5)
      }
    }
  })

  it("computes each pair of a batch from the matrices it names", () => {
    const [m, n, k] = [3, 5, 6]
    const [a, b] = [values(2 * m * k, 1), values(3 * k * n, 2)]
    const got = gemm.run({ a, b, transposeA: false, transposeB: true, m, n, k, pairs: [[1, 0], [0, 2], [1, 2]] })
    const single = (i: number, j: number) =>
      Array.from(gemm.run({ a: a.subarray(i * m * k, (i + 1) * m * k), b: b.subarray(j * k * n, (j + 1) * k * n), transposeA: false, transposeB: true, m, n, k, pairs: [[0, 0]] }))
    expect(Array.from(got)).toEqual([...single(1, 0), ...single(0, 2), ...single(1, 2)])
  })

  it("refuses a pair naming a matrix the operands do not hold", () => {
    expect(() => gemm.run({ a: values(6, 1), b: values(6, 2), transposeA: false, transposeB: false, m: 2, n: 2, k: 3, pairs: [[0, 1]] })).toThrow(GemmError)
  })
})

describe("BatchMatMul on the GEMM", () => {
  let stock: tf.KernelConfig
  let registered: tf.KernelConfig
  beforeAll(async () => {
    // Importing tfjs-backend-wasm registers its kernels; the plugin's setup then replaces BatchMatMul.
    await import("@tensorflow/tfjs-backend-wasm")
    stock = tf.getKernel("BatchMatMul", "wasm")!
    await plugin.setup()
    registered = tf.getKernel("BatchMatMul", "wasm")!
  })

  /** `product` computed with `kernel` registered as wasm's BatchMatMul. */
  const withKernel = async (kernel: tf.KernelConfig, product: () => tf.Tensor): Promise<Float32Array> => {
    tf.unregisterKernel("BatchMatMul", "wasm")
    tf.registerKernel(kernel)
    try {
      const result = product()
      const data = (await result.data()) as Float32Array
      result.dispose()
      return data
    } finally {
      tf.unregisterKernel("BatchMatMul", "wasm")
      tf.registerKernel(registered)
    }
  }

  it("equals tfjs-wasm's XNNPACK products bit for bit, for every transpose combination, batched and broadcast", async () => {
    const onXnnpack = untransposedBatchMatMul(stock, tf.getKernel("Transpose", "wasm")!)
    // [a, b] as multiplied, before any transpose.
    const cases = [[[37, 300], [300, 21]], [[1, 70], [70, 9]], [[2, 3, 9, 1], [3, 1, 7]], [[4, 33, 8], [1, 8, 65]]] as const
    for (const [aShape, bShape] of cases) {
      for (const { transposeA, transposeB } of combinations) {
        const stored = (shape: ReadonlyArray<number>, transpose: boolean) => (transpose ? [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!] : [...shape])
        const [aStored, bStored] = [stored(aShape, transposeA), stored(bShape, transposeB)]
        const a = tf.tensor(values(tf.util.sizeFromShape(aStored), 5), aStored)
        const b = tf.tensor(values(tf.util.sizeFromShape(bStored), 6), bStored)
        const product = () => tf.matMul(a, b, transposeA, transposeB)
        expect(await withKernel(registered, product), `a ${aShape} b ${bShape} transposeA ${transposeA} transposeB ${transposeB}`).toEqual(await withKernel(onXnnpack, product))
        tf.dispose([a, b])
      }
    }
  })
})
