// The native GEMM (@peftlab/native-gemm, an N-API addon) against the wasm plugin's GEMM
// (gemm.wasm) and XNNPACK (tfjs-wasm, operands transposed first), in GFLOP/s per thread, on the
// products of stories260k, SmolLM2-135M and TinyLlama-1.1B (wasm-kernels.ts's benchProducts), and
// the fastest native kernel once more on --threads threads (every core by default), as a worker
// of `--backend native` that has the machine to itself runs it. All
// three run as tfjs-wasm's BatchMatMul through tf.matMul, one after another in every round so that
// load from other processes falls on all alike; each figure is a median. The native kernel here
// is a bench-only BatchMatMul that multiplies in place in tfjs-wasm's heap (no copies), with the
// kernel variant and thread count the table's column names (@peftlab/backend-native registers
// its own, on the fastest variant). A benchmark, not a test; it writes
// results/native-gemm.json and the top of results/native-gemm.md (native-packed-gemm.ts writes a
// section below).
//
//   node tools/bench/native-gemm.ts [--runs 3] [--models stories260k,SmolLM2-135M,TinyLlama-1.1B] [--native avx512,avx2,sse2] [--threads 2]
import { existsSync, readFileSync } from "node:fs"
import { availableParallelism, cpus } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { writeFileAtomic } from "@peftlab/core"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { untransposedBatchMatMul } from "../../plugins/backend-wasm/src/kernels/batch-mat-mul.ts"
import { heapView, type WasmHeapBackend } from "../../plugins/backend-wasm/src/kernels/tfjs-heap.ts"
import { kernelNames, loadNativeGemm, type KernelName, type NativeGemm } from "../../plugins/native-gemm/src/index.ts"
import { withTop } from "./results-section.ts"
import { median } from "./sync-timing.ts"
import { benchModels, benchProducts, interleavedMedians } from "./wasm-kernels.ts"

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    models: { type: "string", default: benchModels.map((m) => m.name).join(",") },
    native: { type: "string" },
    threads: { type: "string", default: String(availableParallelism()) },
  },
})
const runs = Number(args.runs)
const threads = Number(args.threads)
const models = benchModels.filter((m) => args.models.split(",").includes(m.name))
const nativeKernels = args.native?.split(",") ?? []
const badKernels = nativeKernels.filter((name) => !(kernelNames as ReadonlyArray<string>).includes(name))
if (!(Number.isInteger(runs) && runs > 0) || !(Number.isInteger(threads) && threads > 0) || models.length === 0 || badKernels.length > 0) {
  console.error(`--runs and --threads take positive integers (got ${args.runs}, ${args.threads}); --models a list of ${benchModels.map((m) => m.name).join(", ")} (got ${args.models}); --native a list of ${kernelNames.join(", ")}${badKernels.length > 0 ? ` (unknown: ${badKernels.join(", ")})` : ""}`)
  process.exit(2)
}

const loadNative = (options: { kernel?: KernelName; threads: number }): NativeGemm => {
  const load = loadNativeGemm(options)
  if (load.gemm === undefined) {
    console.error(`the native GEMM is unavailable: ${load.reason}`)
    process.exit(2)
  }
  return load.gemm
}
// One thread each (PEFTLAB_NATIVE_THREADS would override it: leave it unset), then the first on `threads`.
const singles = (nativeKernels.length > 0 ? nativeKernels : [undefined]).map((kernel) => loadNative({ ...(kernel !== undefined && { kernel: kernel as KernelName }), threads: 1 }))
const natives = [...singles, ...(threads > 1 ? [loadNative({ kernel: singles[0]!.info().kernel.name, threads })] : [])]
const nativeName = (native: NativeGemm) => {
  const info = native.info()
  return `native ${info.kernel.name}${info.threads > 1 ? ` on ${info.threads} threads` : ""}`
}

/** Milliseconds the native kernel itself took in the last tf.matMul, by column name (the rest is tfjs's allocation and read-back). */
const kernelAloneMs = new Map<string, number>()

/** A BatchMatMul for float32 operands of equal batch (or rank 2) that runs `native` in place in tfjs-wasm's heap. */
const nativeBatchMatMul = (name: string, native: NativeGemm, template: tf.KernelConfig): tf.KernelConfig => ({
  ...template,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean }
    const [m, k] = transposeA ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.shape.at(-2)!, a.shape.at(-1)!]
    const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!
    const batch = a.shape.slice(0, -2)
    const heap = backend as unknown as WasmHeapBackend
    // Allocate first: growing the heap would invalidate views taken before.
    const out = heap.makeOutput([...batch, m, n], "float32")
    const started = performance.now()
    native.batchedGemm(heapView(heap, a), heapView(heap, b), heapView(heap, out), tf.util.sizeFromShape(batch), m, n, k, transposeA, transposeB)
    kernelAloneMs.set(name, performance.now() - started)
    return out
  },
})

await import("@tensorflow/tfjs-backend-wasm")
const stock = tf.getKernel("BatchMatMul", "wasm")
if (!stock) throw new Error("tfjs-backend-wasm registered no BatchMatMul kernel")
await wasm.setup()
const gemm = tf.getKernel("BatchMatMul", "wasm")
const transpose = tf.getKernel("Transpose", "wasm")
if (!gemm || !transpose) throw new Error("the wasm plugin registered no BatchMatMul or Transpose kernel")
const columns = [
  { name: "XNNPACK", config: untransposedBatchMatMul(stock, transpose) },
  { name: "wasm GEMM", config: gemm },
  ...natives.map((native) => {
    const name = nativeName(native)
    return { name, config: nativeBatchMatMul(name, native, stock) }
  }),
]
const aloneColumns = columns.slice(2).map(({ name }) => name)
/**
 * Median milliseconds of each column's tf.matMul, then of each native kernel alone, over `runs`
 * rounds after a warm-up round, the columns taking turns.
 */
const medianTimes = async (multiply: () => tf.Tensor): Promise<Array<number>> => {
  const alone = aloneColumns.map((): Array<number> => [])
  const whole = await interleavedMedians(columns.map((c) => c.config), multiply, runs, () => aloneColumns.forEach((name, i) => alone[i]!.push(kernelAloneMs.get(name)!)))
  return [...whole, ...alone.map(median)]
}

const rows: Array<{ model: string; product: string; flops: number; ms: Record<string, number> }> = []
try {
  for (const { model, label, a, b, transposeA, transposeB, flops } of benchProducts(models)) {
    const [left, right] = [tf.randomNormal([...a]), tf.randomNormal([...b])]
    const times = await medianTimes(() => tf.matMul(left, right, transposeA, transposeB))
    tf.dispose([left, right])
    const names = [...columns.map((c) => c.name), ...aloneColumns.map((name) => `${name} alone`)]
    rows.push({ model, product: label, flops, ms: Object.fromEntries(names.map((name, i) => [name, times[i]!])) })
    console.error(`${model} ${label}: ${columns.map(({ name }, i) => `${name} ${times[i]!.toFixed(1)} ms`).join(", ")}`)
  }
} finally {
  tf.unregisterKernel("BatchMatMul", "wasm")
  tf.registerKernel(gemm)
}

const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1)
const [xnnpack, wasmGemm, ...nativeNames] = columns.map((c) => c.name) as [string, string, ...Array<string>]
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, one thread each${threads > 1 ? ` but "on ${threads} threads" (GFLOP/s of all of them)` : ""}, median of ${runs} rounds, the kernels taking turns within each round; the machine's two cores are shared with other jobs, so compare columns within a row, not rows with each other. All through tf.matMul on tfjs-wasm (output tensor and read-back included); "alone" is the native call by itself inside that kernel, the rest being tfjs's.`,
  "",
  `| model | product | ${columns.map((c) => `${c.name} GFLOP/s`).join(" | ")} | ${nativeNames.map((name) => `${name} alone GFLOP/s | ${name} / wasm GEMM | ${name} / XNNPACK`).join(" | ")} |`,
  `| --- | --- | ${columns.map(() => "---:").join(" | ")} | ${nativeNames.map(() => "---: | ---: | ---:").join(" | ")} |`,
  ...rows.map(
    ({ model, product, flops, ms }) =>
      `| ${model} | ${product} | ${columns.map((c) => gflops(flops, ms[c.name]!)).join(" | ")} | ${nativeNames.map((name) => `${gflops(flops, ms[`${name} alone`]!)} | ${(ms[wasmGemm]! / ms[name]!).toFixed(2)}x | ${(ms[xnnpack]! / ms[name]!).toFixed(2)}x`).join(" | ")} |`,
  ),
].join("\n")
console.log(table)
const results = join(import.meta.dirname, "results")
await writeFileAtomic(join(results, "native-gemm.json"), JSON.stringify({ runs, node: process.version, cpu: cpus()[0]?.model, native: natives.map((n) => ({ ...n.info().kernel, threads: n.info().threads })), rows }, null, 2) + "\n")
const markdown = join(results, "native-gemm.md")
await writeFileAtomic(markdown, withTop(existsSync(markdown) ? readFileSync(markdown, "utf8") : "", table))
