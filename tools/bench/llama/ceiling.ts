// The machine's matmul throughput, the ceiling for both sides: tfjs-wasm's XNNPACK on one
// thread (peftlab runs one per worker), and torch.mm on the threads PyTorch is given, per build.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import * as tf from "@tensorflow/tfjs"

const size = 1024
const flops = 2 * size ** 3

/** GFLOP/s of a [1024,1024]x[1024,1024] product on the current backend, best of 5. */
export const tfjsMatMulGflops = async (): Promise<number> => {
  const [a, b] = [tf.randomNormal([size, size]), tf.randomNormal([size, size])]
  let best = Infinity
  for (let i = 0; i < 6; i++) {
    const started = performance.now()
    const c = tf.matMul(a, b)
    await c.data()
    c.dispose()
    if (i > 0) best = Math.min(best, performance.now() - started)
  }
  tf.dispose([a, b])
  return flops / best / 1e6
}

/** GFLOP/s of the same product by torch.mm under `python` on `threads` threads, best of 5. */
export const torchMatMulGflops = async (python: string, threads: number): Promise<number> => {
  const script = `import time, torch
torch.set_num_threads(${threads})
a, b = torch.randn(${size}, ${size}), torch.randn(${size}, ${size})
best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(6))
print(${flops} / best / 1e9)`
  const { stdout } = await promisify(execFile)(python, ["-c", script])
  return Number(stdout.trim())
}
