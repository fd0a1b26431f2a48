// The wasm plugin's kernels against tfjs-backend-wasm's own, measured in the same run: the
// products a linear layer and its weight gradient compute (x · Wᵀ, dyᵀ · x) at BERT-base and
// bert-tiny widths, and attention's batched products (q·kᵀ per head) at stories260k's and
// SmolLM2's shapes, by the stock BatchMatMul and by the plugin's, which transposes first and
// splits batches into single products.
import * as tf from "@tensorflow/tfjs"

interface KernelTiming {
  readonly product: string
  readonly stockMs: number
  readonly pluginMs: number
}

/** Median of `runs` timings of `f`, after one warm-up run. */
const medianMs = async (f: () => tf.Tensor, runs = 5): Promise<number> => {
  const times: Array<number> = []
  for (let k = 0; k <= runs; k++) {
    const started = performance.now()
    const result = f()
    await result.data()
    result.dispose()
    if (k > 0) times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!
}

/** `stock`: the BatchMatMul config tfjs-backend-wasm registered, read before the plugin's setup replaced it. */
export const wasmMatMulTimings = async (stock: tf.KernelConfig): Promise<Array<KernelTiming>> => {
  const plugin = tf.getKernel("BatchMatMul", "wasm")!
  const use = (kernel: tf.KernelConfig) => {
    tf.unregisterKernel("BatchMatMul", "wasm")
    tf.registerKernel(kernel)
  }
  const timings: Array<KernelTiming> = []
  for (const [tokens, hidden, out] of [[512, 768, 768], [1024, 128, 512]] as const) {
    const x = tf.randomNormal([tokens, hidden])
    const w = tf.randomNormal([out, hidden])
    const dy = tf.randomNormal([tokens, out])
    for (const [product, f] of [
      [`x·Wᵀ [${tokens},${hidden}]·[${out},${hidden}]ᵀ`, () => tf.matMul(x, w, false, true)],
      [`dyᵀ·x [${tokens},${out}]ᵀ·[${tokens},${hidden}]`, () => tf.matMul(dy, x, true, false)],
    ] as const) {
      use(stock)
      const stockMs = await medianMs(f)
      use(plugin)
      timings.push({ product, stockMs, pluginMs: await medianMs(f) })
    }
    tf.dispose([x, w, dy])
  }
  for (const [batch, rows, inner, cols] of [[32, 512, 8, 256], [12, 768, 64, 256]] as const) {
    const [q, k] = [tf.randomNormal([batch, rows, inner]), tf.randomNormal([batch, cols, inner])]
    const f = () => tf.matMul(q, k, false, true)
    use(stock)
    const stockMs = await medianMs(f)
    use(plugin)
    timings.push({ product: `q·kᵀ [${batch},${rows},${inner}]·[${batch},${cols},${inner}]ᵀ`, stockMs, pluginMs: await medianMs(f) })
    tf.dispose([q, k])
  }
  return timings
}
