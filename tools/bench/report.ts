// The benchmark's results as JSON and as the Markdown tables the README shows.
import { readFile } from "node:fs/promises"
import { writeFileAtomic } from "@peftlab/core"
import type { Timing } from "./llama/measure-peftlab.ts"
import type { TorchTiming } from "./llama/measure-torch.ts"

export interface BenchRow {
  readonly model: string
  readonly method: string
  readonly backend: string
  readonly workers: number
  readonly rows: number
  readonly seq: number
  readonly peftlab: Timing
  readonly torch?: TorchTiming
  /** Flops of one training step and of one scored example (see llama/flops.ts). */
  readonly trainFlops: number
  readonly scoreFlopsPerExample: number
}

export interface BenchReport {
  readonly date: string
  readonly machine: string
  readonly ceilings: { readonly wasmGflopsPerThread: number; readonly torchGflops?: number; readonly torchThreads: number }
  readonly rows: ReadonlyArray<BenchRow>
  readonly unavailable: ReadonlyArray<string>
  readonly kernels: ReadonlyArray<{ readonly product: string; readonly stockMs: number; readonly pluginMs: number }>
}

/**
 * The targets: on peftlab's CPU backend (wasm), training at least half PyTorch's throughput and
 * scoring at most twice its latency. The pure-JS cpu backend, and webgpu on a software Vulkan,
 * are shown beside it for reference.
 */
export const targets = { backend: "wasm", trainRatio: 0.5, scoringRatio: 2 } as const

const fixed = (x: number, digits = 0) => x.toFixed(digits)
const gflops = (flops: number, ms: number) => fixed(flops / ms / 1e6, 1)

const resultsTable = (rows: ReadonlyArray<BenchRow>): Array<string> => [
  "| model | method | backend (workers) | batch | peftlab tok/s | PyTorch tok/s | train ratio | peftlab GFLOP/s | PyTorch GFLOP/s | scoring ms/example peftlab | PyTorch | latency ratio |",
  "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) => {
    const t = r.torch
    const trainRatio = t ? r.peftlab.tokensPerSecond / t.tokensPerSecond : undefined
    const latencyRatio = t ? r.peftlab.scoringMsPerExample / t.scoringMsPerExample : undefined
    const mark = (ok: boolean) => (ok || r.backend !== targets.backend ? "" : " ✗")
    return [
      r.model,
      r.method,
      `${r.backend} (${r.workers})`,
      `${r.rows}×${r.seq}`,
      fixed(r.peftlab.tokensPerSecond, 1),
      t ? fixed(t.tokensPerSecond, 1) : "n/a",
      trainRatio === undefined ? "n/a" : `${fixed(trainRatio, 2)}x${mark(trainRatio >= targets.trainRatio)}`,
      gflops(r.trainFlops, r.peftlab.stepMs),
      t ? gflops(r.trainFlops, t.stepMs) : "n/a",
      fixed(r.peftlab.scoringMsPerExample, 1),
      t ? fixed(t.scoringMsPerExample, 1) : "n/a",
      latencyRatio === undefined ? "n/a" : `${fixed(latencyRatio, 2)}x${mark(latencyRatio <= targets.scoringRatio)}`,
    ].join(" | ").replace(/^/, "| ").concat(" |")
  }),
]

export const markdown = (report: BenchReport): string =>
  [
    `Measured ${report.date} on ${report.machine}. Matmul ceiling: tfjs-wasm ${fixed(report.ceilings.wasmGflopsPerThread, 1)} GFLOP/s per thread` +
      (report.ceilings.torchGflops === undefined ? "" : `, torch.mm ${fixed(report.ceilings.torchGflops, 1)} GFLOP/s on ${report.ceilings.torchThreads} threads`) +
      `. Ratios: peftlab/PyTorch tokens/s (target ≥ ${targets.trainRatio}x on ${targets.backend}, peftlab's CPU backend) and scoring latency (target ≤ ${targets.scoringRatio}x); ✗ marks a miss.` +
      " The pure-JS cpu backend and webgpu (here on lavapipe, a software Vulkan) are shown for reference.",
    "",
    ...resultsTable(report.rows),
    ...(report.unavailable.length > 0 ? ["", ...report.unavailable.map((line) => `- ${line}`)] : []),
    ...(report.kernels.length > 0
      ? ["", "| wasm matMul | tfjs-backend-wasm ms | peftlab plugin ms | speed-up |", "| --- | ---: | ---: | ---: |", ...report.kernels.map((k) => `| ${k.product} | ${fixed(k.stockMs, 1)} | ${fixed(k.pluginMs, 1)} | ${fixed(k.stockMs / k.pluginMs, 2)}x |`)]
      : []),
  ].join("\n")

const readmeStart = "<!-- bench:start -->"
const readmeEnd = "<!-- bench:end -->"

/** Writes results/latest.json and latest.md; with `readme`, replaces the README's table between its markers. */
export const writeReport = async (report: BenchReport, dir: string, readme?: string): Promise<void> => {
  const table = markdown(report)
  await writeFileAtomic(`${dir}/latest.json`, JSON.stringify(report, null, 2) + "\n")
  await writeFileAtomic(`${dir}/latest.md`, table + "\n")
  if (!readme) return
  const text = await readFile(readme, "utf8")
  const [start, end] = [text.indexOf(readmeStart), text.indexOf(readmeEnd)]
  if (start < 0 || end < start) throw new Error(`${readme}: no ${readmeStart} … ${readmeEnd} markers to put the table between`)
  await writeFileAtomic(readme, `${text.slice(0, start + readmeStart.length)}\n${table}\n${text.slice(end)}`)
}
