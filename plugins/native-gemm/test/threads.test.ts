// The native GEMM on several threads: each product is split across them (by the columns of C, by
// its rows when C is narrow, or by the products of a batch) and every element is still summed by
// one thread in the single-threaded order, so the results equal one thread's bit for bit for every
// thread count, kernel variant, transpose, batch layout and packed weight. A large product starts
// the helper threads it asks for, a small one none. The thread count comes from setThreads, else
// PEFTLAB_NATIVE_THREADS, else loadNativeGemm's option, else every core this process may use; bad
// values are refused, saying what is expected. Skipped, with the loader's reason, where the
// prebuilt cannot load.
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { afterEach, describe, expect, it } from "vitest"
import { loadNativeGemm, threadsVariable, type NativeGemm } from "../src/index.ts"
import { packWeight } from "./fixtures/packed-weights.ts"
import { values } from "./fixtures/reference.ts"

const best = loadNativeGemm()
const skipReason = best.gemm === undefined ? ` (skipped: ${best.reason})` : ""
const kernels = best.gemm?.info().supported ?? []
const threadCounts = [2, 3, 4, 7, 16]

/** C's bits from `run` on one thread, then on each of threadCounts. */
const bitsByThreads = (gemm: NativeGemm, size: number, run: (c: Float32Array) => void) =>
  [1, ...threadCounts].map((threads) => {
    gemm.setThreads(threads)
    const c = new Float32Array(size).fill(Number.NaN)
    run(c)
    return new Uint32Array(c.buffer)
  })

const expectAllEqual = (results: ReadonlyArray<Uint32Array>, what: string) => {
  for (const [i, bits] of results.entries()) expect(bits, `${what} on ${[1, ...threadCounts][i]} threads`).toEqual(results[0])
}

describe.skipIf(best.gemm === undefined)(`the native GEMM on several threads${skipReason}`, () => {
  afterEach(() => {
    delete process.env[threadsVariable]
  })

  // [m, n, k], each over 32 MFLOP (a product splits in two from 2 · 16 MFLOP): split by columns (wide C),
  // by rows (C narrower than the threads' strips) with K over several slices, N past a panel, odd sizes.
  const shapes = [[200, 640, 300], [1200, 24, 2000], [48, 4200, 100], [61, 1000, 513]] as const

  for (const kernel of kernels) {
    it(`${kernel}: gemm and batchedGemm equal one thread's bit for bit on 2 to 16 threads, for every transpose and batch layout`, () => {
      const gemm = loadNativeGemm({ kernel }).gemm!
      for (const [m, n, k] of shapes)
        for (const transposeA of [false, true])
          for (const transposeB of [false, true]) {
            const [a, b] = [values(m * k, m), values(k * n, n)]
            expectAllEqual(bitsByThreads(gemm, m * n, (c) => gemm.gemm(a, b, c, m, n, k, transposeA, transposeB)), `${kernel} [${m}, ${n}, ${k}] ${transposeA}/${transposeB}`)
          }
      // Batches of 6 (split by products or by columns, whichever shares out more evenly) and of 2 with one shared B.
      const [m, n, k] = [128, 128, 512]
      const [a, b] = [values(6 * m * k, 3), values(6 * k * n, 4)]
      expectAllEqual(bitsByThreads(gemm, 6 * m * n, (c) => gemm.batchedGemm(a, b, c, 6, m, n, k, false, true)), `${kernel} batch of 6`)
      expectAllEqual(bitsByThreads(gemm, 2 * m * n, (c) => gemm.batchedGemm(a.subarray(0, 2 * m * k), b.subarray(0, k * n), c, 2, m, n, k, true, false)), `${kernel} batch of 2, B shared`)
    })

    it(`${kernel}: packedGemm (bf16, NF4, with a bias) equals one thread's bit for bit on 2 to 16 threads`, () => {
      const gemm = loadNativeGemm({ kernel }).gemm!
      const [m, n, k] = [256, 700, 300]
      const x = values(m * k, 5)
      const bias = values(n, 6)
      for (const [storage, blockSize] of [["BF16", 0], ["NF4", 64], ["NF4", 37]] as const) {
        const weight = packWeight(values(n * k, 7), storage, blockSize)
        for (const transposeWeight of [true, false])
          expectAllEqual(
            bitsByThreads(gemm, m * n, (c) => gemm.packedGemm(x, weight.bytes, weight.absmax, bias, c, m, n, k, storage, blockSize, transposeWeight)),
            `${kernel} ${storage}/${blockSize} transposeWeight ${transposeWeight}`,
          )
      }
    })
  }

  it("starts the helper threads a large product asks for, and none for a small one", async () => {
    const counts = await new Promise<{ before: number; afterSmall: number; afterLarge: number }>((resolve, reject) => {
      const worker = new Worker(new URL("./fixtures/threads-worker.ts", import.meta.url), { workerData: { threads: 4 } })
      worker.once("message", (message) => {
        resolve(message)
        void worker.terminate()
      })
      worker.once("error", reject)
    })
    expect(counts.afterSmall).toBe(counts.before)
    expect(counts.afterLarge).toBe(counts.before + 3)
  })

  it("runs on every core by default, on loadNativeGemm's threads, or on PEFTLAB_NATIVE_THREADS's over both", () => {
    expect(loadNativeGemm().gemm!.info().threads).toBe(Math.min(availableParallelism(), 256))
    expect(loadNativeGemm({ threads: 3 }).gemm!.info().threads).toBe(3)
    process.env[threadsVariable] = "5"
    expect(loadNativeGemm({ threads: 3 }).gemm!.info().threads).toBe(5)
    const gemm = loadNativeGemm().gemm!
    gemm.setThreads(2)
    expect(gemm.info().threads).toBe(2)
  })

  it("refuses thread counts that are not integers from 1 to 256, saying so", () => {
    for (const written of ["0", "-1", "1.5", "two", "", "257"]) {
      process.env[threadsVariable] = written
      expect(loadNativeGemm()).toEqual({ gemm: undefined, reason: `PEFTLAB_NATIVE_THREADS=${written}: expected an integer from 1 to 256` })
    }
    delete process.env[threadsVariable]
    expect(loadNativeGemm({ threads: 0 })).toEqual({ gemm: undefined, reason: "threads: expected an integer from 1 to 256, got 0" })
    const gemm = best.gemm!
    for (const threads of [0, 2.5, 257, Number.NaN]) expect(() => gemm.setThreads(threads)).toThrow(new RangeError(`threads: expected an integer from 1 to 256, got ${threads}`))
    expect(gemm.info().threads).toBe(Math.min(availableParallelism(), 256))
  })
})
