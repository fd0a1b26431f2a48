// `npm run bench`: peftlab against PyTorch on the same machine, in the same run. For Llama
// models with random weights built from a config.json (stories260k's, and a SmolLM2-135M-shaped
// one), it times training steps of LoRA (r=8 on q,k,v), prompt tuning (20 tokens) and prefix
// tuning (20) at batch 8x256 (4x256 for the larger), and scoring, on every available backend;
// and torch/reference.py with the same shapes, method and thread count under every PyTorch build
// found (Debian's 1.13, PyPI's current 2.x: torch/runtimes.ts), plus one bf16-autocast row; each
// row's GFLOP/s is shown as a share of the cores' FMA peak (machine/fma-peak.ts).
// Prints and writes the table (results/latest.{json,md}; `-- --readme` also updates README.md's two bench tables),
// then the wasm plugin's matMul against tfjs-backend-wasm's. A benchmark, not a test.
//
//   npm run bench [-- --readme] [-- --models stories260k,smollm2-135m] [-- --backends wasm,cpu,webgpu]
//                 [-- --methods lora,prompt,prefix] [-- --micro-rows N (rows per micro-batch in a worker)]
//                 [-- --merge (keep latest.json's other rows: re-measure some rows only)]
//                 [-- --no-install (never create .venv-bench for PyPI's torch)]
//                 [-- --cases "tinyllama-1.1b lora native,..." (only these large-model cases, by name; alone, no small rows)]
// Large models (tinyllama-1.1b, mistral-7b, flan-t5-xl in --models) run in processes of their own for their
// peak RSS (large/): results/large.{json,md}. With no --models, TinyLlama-1.1B's native cases run
// too (LoRA, QLoRA, prompt, prefix: some 10 minutes), so the default run covers all three shapes.
import { existsSync, readFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { writeFileAtomic } from "@peftlab/core"
import { writeRandomCheckpoint } from "@peftlab/models"
import { plugin as tfjsNode } from "@peftlab/backend-tfjs-node"
import { plugin as tfjsNodeGpu } from "@peftlab/backend-tfjs-node-gpu"
import { backendPlugins } from "./llama/backends.ts"
import { tfjsMatMulGflops, torchMatMulGflops } from "./llama/ceiling.ts"
import { forwardFlops, trainingFlops, type LlamaShape } from "./llama/flops.ts"
import { measurePeftlab } from "./llama/measure-peftlab.ts"
import { methods, tokenBatch, type Method } from "./llama/workload.ts"
import { machineFmaPeak } from "./machine/fma-peak.ts"
import { measureTorch, type TorchTiming } from "./torch/measure.ts"
import { runtimeLabel, torchRuntimes } from "./torch/runtimes.ts"
import { markdown, replaceInReadme, writeReport, type BenchRow } from "./report.ts"
import { wasmMatMulTimings } from "./wasm-kernels.ts"
import { largeCases, largeModelNames } from "./large/cases.ts"
import { largeMarkdown } from "./large/report.ts"
import { mergeLargeRows, readLargeRows, runLargeCases } from "./large/run.ts"

const root = join(import.meta.dirname, "..", "..")
const threads = Math.min(2, cpus().length)

interface ModelCase {
  readonly name: string
  readonly config: string
  readonly rows: number
  /** Rows per micro-batch in a worker (a 4 GB wasm heap holds two 256-token rows of the larger model). */
  readonly microRows: number
  readonly steps: number
  /** Untimed steps first, on both sides. */
  readonly warmup: number
}

const models = (): Array<ModelCase> => {
  const shared = process.env.PEFTLAB_MODELS
  if (!shared) console.log("bench: PEFTLAB_MODELS unset, so no stories260k config: measuring the SmolLM2-shaped model only")
  return [
    ...(shared ? [{ name: "stories260k", config: join(shared, "stories260k", "config.json"), rows: 8, microRows: 4, steps: 8, warmup: 5 }] : []),
    { name: "smollm2-135m", config: join(import.meta.dirname, "configs", "smollm2-135m.json"), rows: 4, microRows: 2, steps: 2, warmup: 1 },
  ]
}

// Workers per backend: the CPU backends use every core; one GPU serves one worker. The pure-JS
// cpu backend (~30x slower than wasm) runs the small model only.
const backends: ReadonlyArray<{ readonly name: string; readonly workers: number; readonly models?: ReadonlyArray<string> }> = [
  { name: "wasm", workers: threads },
  { name: "native", workers: threads },
  { name: "cpu", workers: threads, models: ["stories260k"] },
  { name: "webgpu", workers: 1, models: ["stories260k"] },
]

/** A random checkpoint of `config` in the temp folder, written once and reused while the config is unchanged. */
const checkpointFor = async (model: ModelCase): Promise<string> => {
  const configText = readFileSync(model.config, "utf8")
  const dir = join(tmpdir(), "peftlab-bench", model.name)
  const current = existsSync(join(dir, "model.safetensors")) && existsSync(join(dir, "config.json")) && JSON.stringify(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))) === JSON.stringify(JSON.parse(configText))
  if (!current) await Effect.runPromise(writeRandomCheckpoint(dir, JSON.parse(configText), 0))
  return dir
}

/** Bad flags end the run with a message naming the flag, and exit code 2. */
const usage = (message: string): never => {
  console.error(`bench: ${message}`)
  process.exit(2)
}
const flags = (() => {
  try {
    return parseArgs({ options: { readme: { type: "boolean" }, models: { type: "string" }, backends: { type: "string" }, methods: { type: "string" }, "micro-rows": { type: "string" }, merge: { type: "boolean" }, "no-install": { type: "boolean" }, cases: { type: "string" } } }).values
  } catch (error) {
    return usage((error as Error).message)
  }
})()
const microRowsFlag = flags["micro-rows"] === undefined ? undefined : Number(flags["micro-rows"])
if (microRowsFlag !== undefined && !(Number.isInteger(microRowsFlag) && microRowsFlag > 0)) usage(`--micro-rows: expected a positive integer, got "${flags["micro-rows"]}"`)
const chosen = (list: string | undefined, name: string) => !list || list.split(",").includes(name)

// tfjs-backend-wasm registers its kernels when imported; the plugin's setup replaces BatchMatMul.
await import("@tensorflow/tfjs-backend-wasm")
const stockMatMul = tf.getKernel("BatchMatMul", "wasm")!
await backendPlugins.wasm!.setup()

const { runtimes, unavailable } = await torchRuntimes(root, { install: !flags["no-install"] })
const peak = machineFmaPeak()
const ceilings = {
  wasmGflopsPerThread: await tfjsMatMulGflops(),
  torch: await Promise.all(runtimes.map(async (runtime) => ({ label: runtimeLabel(runtime), gflops: await torchMatMulGflops(runtime.python, threads) }))),
  torchThreads: threads,
}
console.log(`FMA peak ${peak.gflops.toFixed(0)} GFLOP/s on ${peak.cores} cores (${peak.microarchitecture}); matmul ceiling: tfjs-wasm ${ceilings.wasmGflopsPerThread.toFixed(1)} GFLOP/s per thread${ceilings.torch.map((c) => `; ${c.label} ${c.gflops.toFixed(1)}`).join("")} GFLOP/s on ${threads} threads`)
// The one row PyTorch also trains under bf16 autocast, where the build has it (PyPI's 2.x).
const autocastRow = { model: "smollm2-135m", method: "lora" }
/** The row's timings under every PyTorch build, fp32, and bf16 autocast on the autocast row. */
const torchTimings = async (model: string, config: string, method: Method, shape: { rows: number; seq: number; steps: number; warmup: number }): Promise<Array<TorchTiming>> => {
  const timings: Array<TorchTiming> = []
  for (const runtime of runtimes) {
    const run = { runtime, config, method, ...shape, threads }
    timings.push(await measureTorch(run))
    if (runtime.source === "PyPI" && model === autocastRow.model && method === autocastRow.method) timings.push(await measureTorch({ ...run, autocast: "bf16" }))
  }
  return timings
}

for (const plugin of [tfjsNode, tfjsNodeGpu]) {
  const probe = await plugin.probe()
  if (!probe.available) unavailable.push(`${plugin.name}: ${probe.reason}`)
}

const caseNames = flags.cases?.split(",")
const unknownCases = caseNames?.filter((name) => !largeCases.some((c) => c.name === name)) ?? []
if (unknownCases.length > 0) usage(`--cases: no large-model case ${unknownCases.map((n) => `"${n}"`).join(", ")} (expected names from tools/bench/large/cases.ts)`)
// The cases named by --cases (within --models' models, if given), else every case of --models' large
// models, else the ones that run by default (TinyLlama-1.1B on native).
const modelNames = flags.models?.split(",")
const chosenLarge = largeCases.filter((c) =>
  caseNames ? caseNames.includes(c.name) && (!modelNames || modelNames.includes(c.model)) : modelNames ? modelNames.includes(c.model) : c.byDefault === true,
)
if (chosenLarge.length > 0) {
  // PyTorch's side depends on the shape and method only: measured once for the wasm and native rows alike.
  const torchByShape = new Map<string, Promise<Array<TorchTiming>>>()
  const measured = await runLargeCases(chosenLarge, (large) => {
    const key = `${large.model} ${large.method} ${large.rows}x${large.seq}`
    if (!torchByShape.has(key)) torchByShape.set(key, torchTimings(large.model, large.config, large.method, { rows: large.rows, seq: large.seq, steps: 1, warmup: 1 }))
    return torchByShape.get(key)!
  })
  // Rows of models not run this time stay as last measured (each row carries its own date).
  const largeRows = mergeLargeRows(readLargeRows(join(import.meta.dirname, "results", "large.json")), measured)
  const table = largeMarkdown(largeRows, peak, threads)
  console.log(`\n${table}`)
  await writeFileAtomic(join(import.meta.dirname, "results", "large.json"), JSON.stringify({ rows: largeRows }, null, 2) + "\n")
  await writeFileAtomic(join(import.meta.dirname, "results", "large.md"), table + "\n")
  if (flags.readme) await replaceInReadme(join(root, "README.md"), "bench-large", table)
}
const smallModels = (flags.models?.split(",") ?? []).filter((name) => !largeModelNames.has(name))
if ((flags.models !== undefined || caseNames !== undefined) && smallModels.length === 0) process.exit(0)

const rows: Array<BenchRow> = []
const modelCases = models()
for (const model of modelCases.filter((m) => chosen(flags.models, m.name))) {
  const config = JSON.parse(readFileSync(model.config, "utf8")) as LlamaShape
  const checkpoint = await checkpointFor(model)
  const batch = tokenBatch(model.rows, 256, config.vocab_size, 1)
  for (const method of methods.filter((m) => chosen(flags.methods, m))) {
    const torch = await torchTimings(model.name, model.config, method, { rows: model.rows, seq: 256, steps: model.steps, warmup: model.warmup })
    for (const backend of backends.filter((b) => chosen(flags.backends, b.name) && (!b.models || b.models.includes(model.name)))) {
      const probe = await backendPlugins[backend.name]!.probe()
      if (!probe.available) {
        if (!unavailable.some((line) => line.startsWith(`${backend.name}:`))) unavailable.push(`${backend.name}: ${probe.reason}`)
        continue
      }
      // The pure-JS cpu backend and webgpu on lavapipe are slow: one warm-up and one timed step each.
      const fast = backend.name === "wasm" || backend.name === "native"
      const [steps, warmup] = fast ? [model.steps, model.warmup] : [1, 1]
      const microRows = microRowsFlag ?? model.microRows
      const peftlab = await measurePeftlab({ checkpoint, method, backend: backend.name, workers: backend.workers, batch, microRows, steps, warmup })
      const row: BenchRow = {
        model: model.name,
        method,
        backend: backend.name,
        workers: backend.workers,
        rows: model.rows,
        seq: 256,
        peftlab,
        torch,
        trainFlops: trainingFlops(config, method, model.rows, 256),
        scoreFlopsPerExample: forwardFlops(config, method, 1, 256),
      }
      rows.push(row)
      const versus = torch.map((t) => `${runtimeLabel(t)} ${t.precision} ${t.tokensPerSecond.toFixed(1)} tok/s, ${t.scoringMsPerExample.toFixed(1)} ms`).join("; ")
      console.log(`${model.name} ${method} ${backend.name}: ${peftlab.tokensPerSecond.toFixed(1)} tok/s, scoring ${peftlab.scoringMsPerExample.toFixed(1)} ms/example (${versus || "no PyTorch"})`)
    }
  }
}

await backendPlugins.wasm!.setup()
const kernels = await wasmMatMulTimings(stockMatMul)
const resultsDir = join(import.meta.dirname, "results")
const sameRow = (a: BenchRow, b: BenchRow) => a.model === b.model && a.method === b.method && a.backend === b.backend
// Rows written before the PyTorch builds were listed per row (torch a single timing) are not kept.
const kept = flags.merge && existsSync(join(resultsDir, "latest.json")) ? (JSON.parse(readFileSync(join(resultsDir, "latest.json"), "utf8")) as { rows: Array<BenchRow> }).rows.filter((old) => Array.isArray(old.torch) && !rows.some((row) => sameRow(old, row))) : []
const order = (row: BenchRow) => [modelCases.findIndex((m) => m.name === row.model), methods.indexOf(row.method as (typeof methods)[number]), backends.findIndex((b) => b.name === row.backend)]
const report = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.version}${runtimes.map((r) => `, torch ${r.version} (${r.source})`).join("")}`,
  peak,
  ceilings,
  rows: [...kept, ...rows].sort((a, b) => {
    const [x, y] = [order(a), order(b)]
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!
  }),
  unavailable,
  kernels,
}
console.log(`\n${markdown(report)}`)
await writeReport(report, resultsDir, flags.readme ? join(root, "README.md") : undefined)
