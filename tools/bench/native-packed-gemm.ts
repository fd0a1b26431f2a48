// Products by a frozen weight kept packed (bf16 bits, or NF4 codes in blocks of 64: what QLoRA and
// a bf16 checkpoint leave on the host) at TinyLlama-1.1B's shapes: the wasm plugin's packed
// kernel (packed-matmul.wasm, SIMD128) against @peftlab/backend-native's (the native GEMM,
// dequantizing each panel of W while it packs it), both registered in turn as the same tfjs kernel
// and called as @peftlab/models calls it. The forward x·Wᵀ and the input gradient dy·W of q/o,
// gate/up and down, in GFLOP/s per thread (both run on one), medians, the two kernels taking turns
// in every round. A benchmark, not a test; it writes its section of results/native-gemm.md.
//
//   node tools/bench/native-packed-gemm.ts [--runs 5] [--rows 256]
import { existsSync, readFileSync } from "node:fs"
import { cpus } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { writeFileAtomic } from "@peftlab/core"
import { packedMatMulKernelName, plugin as wasm, type PackedMatMulAttrs, type PackedWeight } from "@peftlab/backend-wasm"
import { quantizeNf4 } from "@peftlab/models"
import { loadNativeGemm } from "@peftlab/native-gemm"
import { nativePackedMatMul } from "../../plugins/backend-native/src/native-packed-mat-mul.ts"
import { withSection } from "./results-section.ts"

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" }, rows: { type: "string", default: "256" } } })
const [runs, rows] = [Number(args.runs), Number(args.rows)]
if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(rows) && rows > 0)) {
  console.error(`--runs and --rows take positive integers (got ${args.runs} and ${args.rows})`)
  process.exit(2)
}
// One thread, as the wasm kernel runs (PEFTLAB_NATIVE_THREADS would override it: leave it unset).
const load = loadNativeGemm({ threads: 1 })
if (load.gemm === undefined) {
  console.error(`the native GEMM is unavailable: ${load.reason}`)
  process.exit(2)
}

await wasm.setup()
const wasmKernel = tf.getKernel(packedMatMulKernelName, "wasm")
if (!wasmKernel) throw new Error("the wasm plugin registered no packed matmul kernel (packed-matmul.wasm missing?)")
const gemm = load.gemm
const nativeName = `native ${gemm.info().kernel.name}`
const columns = [
  { name: "wasm packed", config: wasmKernel },
  { name: nativeName, config: nativePackedMatMul(() => gemm, wasmKernel) },
]

// TinyLlama-1.1B's frozen projections, W [out, in].
const layers = [
  { layer: "q/o", out: 2048, inFeatures: 2048 },
  { layer: "gate/up", out: 5632, inFeatures: 2048 },
  { layer: "down", out: 2048, inFeatures: 5632 },
]

/** A weight of N(0, 0.02²) values kept as bf16 (truncated) or NF4 in blocks of 64. */
const packedWeight = (storage: "BF16" | "NF4", shape: [number, number]): PackedWeight => {
  const values = new Float32Array(shape[0] * shape[1])
  for (let i = 0; i < values.length; i++) values[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random()) * 0.02
  if (storage === "NF4") return { storage, shape, quantized: quantizeNf4(values, 64) }
  const bits = Uint16Array.from(new Uint32Array(values.buffer), (word) => word >>> 16)
  return { storage, shape, bytes: new Uint8Array(bits.buffer) }
}

/** Median ms of each column's kernel on `x`, over `runs` rounds after a warm-up, the columns taking turns. */
const medianMs = async (x: tf.Tensor2D, attrs: PackedMatMulAttrs): Promise<Array<number>> => {
  const samples = columns.map((): Array<number> => [])
  for (let round = 0; round <= runs; round++) {
    for (const [column, { config }] of columns.entries()) {
      tf.unregisterKernel(packedMatMulKernelName, "wasm")
      tf.registerKernel(config)
      const started = performance.now()
      const product = tf.engine().runKernel(packedMatMulKernelName, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
      await product.data()
      const elapsed = performance.now() - started
      product.dispose()
      if (round > 0) samples[column]!.push(elapsed)
    }
  }
  return samples.map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!)
}

const results: Array<{ storage: string; product: string; flops: number; ms: Record<string, number> }> = []
try {
  for (const { layer, out, inFeatures } of layers)
    for (const storage of ["BF16", "NF4"] as const) {
      const weight = packedWeight(storage, [out, inFeatures])
      for (const transposeWeight of [true, false]) {
        const product = transposeWeight ? `${layer} x·Wᵀ [${rows},${inFeatures}]·[${out},${inFeatures}]ᵀ` : `${layer} dy·W [${rows},${out}]·[${out},${inFeatures}]`
        const x = tf.randomNormal([rows, transposeWeight ? inFeatures : out]) as tf.Tensor2D
        const times = await medianMs(x, { weight, transposeWeight })
        x.dispose()
        results.push({ storage, product, flops: 2 * rows * out * inFeatures, ms: Object.fromEntries(columns.map(({ name }, i) => [name, times[i]!])) })
        console.error(`${storage} ${product}: ${columns.map(({ name }, i) => `${name} ${times[i]!.toFixed(1)} ms`).join(", ")}`)
      }
    }
} finally {
  tf.unregisterKernel(packedMatMulKernelName, "wasm")
  tf.registerKernel(wasmKernel)
}

const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1)
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, TinyLlama-1.1B's frozen projections at ${rows} rows, one thread each, median of ${runs} rounds, the kernels taking turns within each round, both through tfjs's kernel call (output tensor and read-back included). The weight stays packed in host memory: the wasm kernel copies it into its module's memory per call and dequantizes a panel at a time; the native one reads it where it lies and dequantizes while packing each panel of its GEMM.`,
  "",
  `| weight | product | ${columns.map(({ name }) => `${name} GFLOP/s`).join(" | ")} | ${nativeName} / wasm packed |`,
  `| --- | --- | ${columns.map(() => "---:").join(" | ")} | ---: |`,
  ...results.map(({ storage, product, flops, ms }) => `| ${storage} | ${product} | ${columns.map(({ name }) => gflops(flops, ms[name]!)).join(" | ")} | ${(ms["wasm packed"]! / ms[nativeName]!).toFixed(2)}x |`),
].join("\n")
console.log(table)
const markdown = join(import.meta.dirname, "results", "native-gemm.md")
await writeFileAtomic(markdown, withSection(existsSync(markdown) ? readFileSync(markdown, "utf8") : "", "Products by frozen packed weights (bf16, NF4)", table))
