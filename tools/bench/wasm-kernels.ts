// The wasm plugin's matMul (its own GEMM, gemm.wasm) against XNNPACK as tfjs-wasm runs it (operands
// transposed first, batches split into single products: what the plugin did before the GEMM), in
// GFLOP/s per thread (both run on one thread), on the products a Llama trains with: per linear
// layer the forward x·Wᵀ, the input gradient dy·W and the weight gradient dyᵀ·x, for q/o, gate/up,
// down and the LM head, plus attention's q·kᵀ over batch × heads, at the shapes of stories260k,
// SmolLM2-135M and TinyLlama-1.1B. The two kernels take turns in every round, so that load from
// other processes falls on both alike; each figure is a median. `npm run bench` prints the table;
// tools/bench/gemm.ts prints it alone.
import * as tf from "@tensorflow/tfjs"
import { median } from "./sync-timing.ts"
import { untransposedBatchMatMul } from "../../plugins/backend-wasm/src/kernels/batch-mat-mul.ts"

export interface KernelTiming {
  readonly model: string
  readonly product: string
  /** Floating-point operations of one call (2 · M · N · K per matrix). */
  readonly flops: number
  /** XNNPACK through tfjs-wasm, operands transposed first. */
  readonly stockMs: number
  /** The plugin's registered BatchMatMul (its GEMM). */
  readonly pluginMs: number
}

/** A model's widths; `rows` are the token counts its linear layers are measured at. */
interface ModelShape {
  readonly name: string
  readonly dim: number
  readonly hidden: number
  readonly vocab: number
  readonly heads: number
  readonly headDim: number
  readonly rows: ReadonlyArray<number>
}

// stories260k trains 8 sequences of 256 (2048 rows); the larger models at 256 and, for SmolLM2,
// 2048 rows. The LM head is measured at 256 rows only (the loss computes it in chunks) to keep the
// run to minutes. Attention: 8 sequences of 256 per head.
export const benchModels: ReadonlyArray<ModelShape> = [
  { name: "stories260k", dim: 64, hidden: 172, vocab: 512, heads: 8, headDim: 8, rows: [2048] },
  { name: "SmolLM2-135M", dim: 576, hidden: 1536, vocab: 49152, heads: 9, headDim: 64, rows: [256, 2048] },
  { name: "TinyLlama-1.1B", dim: 2048, hidden: 5632, vocab: 32000, heads: 32, headDim: 64, rows: [256] },
]
const lmHeadRows = 256
const attentionBatch = 8
const seq = 256

/** One product to time: operand shapes as stored, the transposes, and its FLOPs. */
interface Product {
  readonly model: string
  readonly label: string
  readonly a: ReadonlyArray<number>
  readonly b: ReadonlyArray<number>
  readonly transposeA: boolean
  readonly transposeB: boolean
  readonly flops: number
}

/** x·Wᵀ, dy·W and dyᵀ·x of a linear layer W [out, in] over `rows` tokens. */
const linearProducts = (model: string, layer: string, rows: number, out: number, inFeatures: number): Array<Product> => {
  const flops = 2 * rows * out * inFeatures
  return [
    { model, label: `${layer} x·Wᵀ [${rows},${inFeatures}]·[${out},${inFeatures}]ᵀ`, a: [rows, inFeatures], b: [out, inFeatures], transposeA: false, transposeB: true, flops },
    { model, label: `${layer} dy·W [${rows},${out}]·[${out},${inFeatures}]`, a: [rows, out], b: [out, inFeatures], transposeA: false, transposeB: false, flops },
    { model, label: `${layer} dyᵀ·x [${rows},${out}]ᵀ·[${rows},${inFeatures}]`, a: [rows, out], b: [rows, inFeatures], transposeA: true, transposeB: false, flops },
  ]
}

/** Every product of `models`, in table order. */
export const benchProducts = (models: ReadonlyArray<ModelShape> = benchModels): Array<Product> =>
  models.flatMap(({ name, dim, hidden, vocab, heads, headDim, rows }) => {
    const batch = attentionBatch * heads
    return [
      ...rows.flatMap((r) => [
        ...linearProducts(name, "q/o", r, dim, dim),
        ...linearProducts(name, "gate/up", r, hidden, dim),
        ...linearProducts(name, "down", r, dim, hidden),
      ]),
      ...linearProducts(name, "LM head", lmHeadRows, vocab, dim),
      { model: name, label: `q·kᵀ [${batch},${seq},${headDim}]·[${batch},${seq},${headDim}]ᵀ`, a: [batch, seq, headDim], b: [batch, seq, headDim], transposeA: false, transposeB: true, flops: 2 * batch * seq * seq * headDim },
    ]
  })

/**
 * Medians of `runs` timings of each of `kernels` (as wasm's BatchMatMul) computing `product`, after
 * one warm-up round, taking turns every round; `afterRound` runs after each timed round (a caller
 * reading what its kernel measured of itself).
 */
export const interleavedMedians = async (kernels: ReadonlyArray<tf.KernelConfig>, product: () => tf.Tensor, runs: number, afterRound?: () => void): Promise<Array<number>> => {
  const times = kernels.map((): Array<number> => [])
  for (let round = 0; round <= runs; round++) {
    for (const [i, kernel] of kernels.entries()) {
      tf.unregisterKernel("BatchMatMul", "wasm")
      tf.registerKernel(kernel)
      const started = performance.now()
      const result = product()
      await result.data()
      const ms = performance.now() - started
      result.dispose()
      if (round > 0) times[i]!.push(ms)
    }
    if (round > 0) afterRound?.()
  }
  return times.map(median)
}

/**
 * `stock`: the BatchMatMul config tfjs-backend-wasm registered, read before the plugin's setup
 * replaced it (call after setup). Leaves the plugin's kernel registered.
 */
export const wasmMatMulTimings = async (stock: tf.KernelConfig, options: { readonly runs?: number; readonly models?: ReadonlyArray<ModelShape> } = {}): Promise<Array<KernelTiming>> => {
  const plugin = tf.getKernel("BatchMatMul", "wasm")
  const transpose = tf.getKernel("Transpose", "wasm")
  if (!plugin || !transpose) throw new Error("the wasm backend has no BatchMatMul or Transpose kernel: set the wasm plugin up first")
  const xnnpack = untransposedBatchMatMul(stock, transpose)
  const timings: Array<KernelTiming> = []
  try {
    for (const { model, label, a, b, transposeA, transposeB, flops } of benchProducts(options.models)) {
      const [left, right] = [tf.randomNormal([...a]), tf.randomNormal([...b])]
      const [stockMs, pluginMs] = await interleavedMedians([xnnpack, plugin], () => tf.matMul(left, right, transposeA, transposeB), options.runs ?? 3)
      tf.dispose([left, right])
      timings.push({ model, product: label, flops, stockMs: stockMs!, pluginMs: pluginMs! })
    }
  } finally {
    tf.unregisterKernel("BatchMatMul", "wasm")
    tf.registerKernel(plugin)
  }
  return timings
}

const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1)

/** The kernel table in Markdown: GFLOP/s per thread of XNNPACK and of the plugin's GEMM, and their ratio, per product. */
export const kernelTableLines = (timings: ReadonlyArray<KernelTiming>): Array<string> => [
  "| model | wasm matMul | XNNPACK ms | GEMM ms | XNNPACK GFLOP/s per thread | GEMM GFLOP/s per thread | speed-up |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...timings.map(
    (t) => `| ${t.model} | ${t.product} | ${t.stockMs.toFixed(1)} | ${t.pluginMs.toFixed(1)} | ${gflops(t.flops, t.stockMs)} | ${gflops(t.flops, t.pluginMs)} | ${(t.stockMs / t.pluginMs).toFixed(2)}x |`,
  ),
]
