// The kernel table of `npm run bench` alone: the wasm plugin's GEMM against XNNPACK in GFLOP/s
// per thread on stories260k's, SmolLM2-135M's and TinyLlama-1.1B's products (wasm-kernels.ts says
// which). A benchmark, not a test; it writes results/gemm.{json,md}.
//
//   node tools/bench/gemm.ts [--runs 3] [--models stories260k,SmolLM2-135M,TinyLlama-1.1B]
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { writeFileAtomic } from "@peftlab/core"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { benchModels, kernelTableLines, wasmMatMulTimings } from "./wasm-kernels.ts"

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" }, models: { type: "string", default: benchModels.map((m) => m.name).join(",") } } })
const runs = Number(args.runs)
const names = args.models.split(",")
const unknown = names.filter((name) => !benchModels.some((m) => m.name === name))
if (!(Number.isInteger(runs) && runs > 0) || unknown.length > 0) {
  console.error(`--runs takes a positive integer (got ${args.runs}); --models takes a list of ${benchModels.map((m) => m.name).join(", ")}${unknown.length > 0 ? ` (unknown: ${unknown.join(", ")})` : ""}`)
  process.exit(2)
}

// tfjs-backend-wasm registers its kernels when imported; read its BatchMatMul before the plugin replaces it.
await import("@tensorflow/tfjs-backend-wasm")
const stock = tf.getKernel("BatchMatMul", "wasm")
if (!stock) throw new Error("tfjs-backend-wasm registered no BatchMatMul kernel")
await wasm.setup()
const timings = await wasmMatMulTimings(stock, { runs, models: benchModels.filter((m) => names.includes(m.name)) })
const table = [`Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, tfjs-wasm single thread, median of ${runs}, the two kernels taking turns.`, "", ...kernelTableLines(timings)].join("\n")
console.log(table)
const results = join(import.meta.dirname, "results")
await writeFileAtomic(join(results, "gemm.json"), JSON.stringify({ runs, node: process.version, timings }, null, 2) + "\n")
await writeFileAtomic(join(results, "gemm.md"), table + "\n")
