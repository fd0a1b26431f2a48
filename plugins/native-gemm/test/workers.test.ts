// The addon is context-aware: worker threads, each a Node environment of its own, load it beside
// the main thread (peftlab's data-parallel workers each run one GEMM) and get the main thread's
// products bit for bit (same kernel, same order of sums). Skipped, with the loader's reason,
// where the prebuilt cannot load.
import { Worker } from "node:worker_threads"
import { describe, expect, it } from "vitest"
import { loadNativeGemm } from "../src/index.ts"
import { values } from "./fixtures/reference.ts"

const load = loadNativeGemm()
const skipReason = load.gemm === undefined ? ` (skipped: ${load.reason})` : ""

const inWorker = (job: { m: number; n: number; k: number; seed: number }) =>
  new Promise<{ c?: Float32Array; kernel?: string; reason?: string }>((resolve, reject) => {
    const worker = new Worker(new URL("./fixtures/gemm-worker.ts", import.meta.url), { workerData: job })
    worker.once("message", (message) => {
      resolve(message)
      void worker.terminate()
    })
    worker.once("error", reject)
  })

describe.skipIf(load.gemm === undefined)(`the native GEMM in worker threads${skipReason}`, () => {
  it("loads in two workers at once and computes what the main thread computes", async () => {
    const jobs = [{ m: 33, n: 70, k: 129, seed: 1 }, { m: 64, n: 40, k: 300, seed: 7 }]
    const results = await Promise.all(jobs.map(inWorker))
    for (const [i, { m, n, k, seed }] of jobs.entries()) {
      const c = new Float32Array(m * n)
      load.gemm!.gemm(values(m * k, seed), values(k * n, seed + 1), c, m, n, k, false, true)
      expect(results[i]).toEqual({ c, kernel: load.gemm!.info().kernel.name })
    }
  })
})
