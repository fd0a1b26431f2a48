// The benchmark's results as JSON and as the Markdown tables the README shows: each row's
// peftlab throughput against every PyTorch build measured (ratios against the faster fp32 one),
// each side's achieved GFLOP/s as a fraction of the cores' FMA peak, and the bf16-autocast rows.
import { readFile } from "node:fs/promises"
import { writeFileAtomic } from "@peftlab/core"
import type { Timing } from "./llama/measure-peftlab.ts"
import { simd128Gflops, type FmaPeak } from "./machine/fma-peak.ts"
import { hasTarget, targets, targetTableLines, type TargetEntry } from "./targets.ts"
import { runtimeLabel } from "./torch/runtimes.ts"
import type { TorchTiming } from "./torch/measure.ts"
import { kernelTableLines, type KernelTiming } from "./wasm-kernels.ts"

export interface BenchRow {
  readonly model: string
  readonly method: string
  readonly backend: string
  readonly workers: number
  readonly rows: number
  readonly seq: number
  readonly peftlab: Timing
  /** Every PyTorch build measured on the same row (fp32, and bf16 autocast where asked). */
  readonly torch: ReadonlyArray<TorchTiming>
  /** Flops of one training step and of one scored example (see llama/flops.ts). */
  readonly trainFlops: number
  readonly scoreFlopsPerExample: number
}

export interface BenchReport {
  readonly date: string
  readonly machine: string
  readonly peak: FmaPeak
  readonly ceilings: { readonly wasmGflopsPerThread: number; readonly torch: ReadonlyArray<{ readonly label: string; readonly gflops: number }>; readonly torchThreads: number }
  readonly rows: ReadonlyArray<BenchRow>
  readonly unavailable: ReadonlyArray<string>
  readonly kernels: ReadonlyArray<KernelTiming>
}

const fixed = (x: number, digits = 0) => x.toFixed(digits)
export const gflopsOf = (flops: number, ms: number) => flops / ms / 1e6
/** "26.5 (8%)": GFLOP/s and its share of the peak of `threads` cores. */
export const ofPeak = (gflops: number, peak: FmaPeak, threads: number) => `${fixed(gflops, 1)} (${fixed((100 * gflops) / ((peak.gflops / peak.cores) * threads))}%)`

/** Of a row's PyTorch timings, the fp32 ones with the higher training throughput and the lower scoring latency: the baselines. */
export const fp32Baselines = (torch: ReadonlyArray<TorchTiming>) => {
  const fp32 = torch.filter((t) => t.precision === "fp32")
  if (fp32.length === 0) return undefined
  const train = fp32.reduce((a, b) => (b.tokensPerSecond > a.tokensPerSecond ? b : a))
  const scoring = fp32.reduce((a, b) => (b.scoringMsPerExample < a.scoringMsPerExample ? b : a))
  return { train, scoring }
}

/** Column labels of the PyTorch builds the rows were measured with (fp32), in first-seen order. */
export const runtimeColumns = (torchPerRow: ReadonlyArray<ReadonlyArray<TorchTiming>>): Array<string> => [...new Set(torchPerRow.flatMap((torch) => torch.filter((t) => t.precision === "fp32").map(runtimeLabel)))]

/** A row's fp32 tokens/s under each column's build, "n/a" where it has none. */
export const runtimeCells = (columns: ReadonlyArray<string>, torch: ReadonlyArray<TorchTiming>, digits = 1): Array<string> =>
  columns.map((c) => {
    const t = torch.find((x) => x.precision === "fp32" && runtimeLabel(x) === c)
    return t ? fixed(t.tokensPerSecond, digits) : "n/a"
  })

const resultsTable = (rows: ReadonlyArray<BenchRow>, peak: FmaPeak, threads: number): Array<string> => {
  const columns = runtimeColumns(rows.map((r) => r.torch))
  return [
    `| model | method | backend (workers) | batch | peftlab tok/s | ${columns.map((c) => `${c} tok/s`).join(" | ")} | train ratio | peftlab GFLOP/s (% of FMA peak) | PyTorch GFLOP/s (% of FMA peak) | scoring ms/example peftlab | PyTorch | latency ratio |`,
    `| --- | --- | --- | --- | ---: | ${columns.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => {
      const base = fp32Baselines(r.torch)
      const trainRatio = base && r.peftlab.tokensPerSecond / base.train.tokensPerSecond
      const latencyRatio = base && r.peftlab.scoringMsPerExample / base.scoring.scoringMsPerExample
      const mark = (ok: boolean) => (ok || !hasTarget(r.backend) ? "" : " ✗")
      return [
        r.model,
        r.method,
        `${r.backend} (${r.workers})`,
        `${r.rows}×${r.seq}`,
        fixed(r.peftlab.tokensPerSecond, 1),
        ...runtimeCells(columns, r.torch),
        trainRatio === undefined ? "n/a" : `${fixed(trainRatio, 2)}x${mark(trainRatio >= targets.trainRatio)}`,
        ofPeak(gflopsOf(r.trainFlops, r.peftlab.stepMs), peak, r.workers),
        base ? ofPeak(gflopsOf(r.trainFlops, base.train.stepMs), peak, threads) : "n/a",
        fixed(r.peftlab.scoringMsPerExample, 1),
        base ? fixed(base.scoring.scoringMsPerExample, 1) : "n/a",
        latencyRatio === undefined ? "n/a" : `${fixed(latencyRatio, 2)}x${mark(latencyRatio <= targets.scoringRatio)}`,
      ].join(" | ").replace(/^/, "| ").concat(" |")
    }),
  ]
}

/** The rows on which the targets are judged: those with a PyTorch fp32 baseline. */
const targetEntries = (rows: ReadonlyArray<BenchRow>): Array<TargetEntry> =>
  rows.flatMap((r) => {
    const base = fp32Baselines(r.torch)
    if (base === undefined) return []
    return [{
      model: r.model,
      method: r.method,
      backend: r.backend,
      cores: r.workers,
      trainRatio: r.peftlab.tokensPerSecond / base.train.tokensPerSecond,
      latencyRatio: r.peftlab.scoringMsPerExample / base.scoring.scoringMsPerExample,
      torchTrainGflops: gflopsOf(r.trainFlops, base.train.stepMs),
      torchScoringGflops: gflopsOf(r.scoreFlopsPerExample, base.scoring.scoringMsPerExample),
    }]
  })

/** PyTorch's bf16-autocast timings beside the same row's fp32 ones and peftlab's (fp32). */
const autocastTable = (rows: ReadonlyArray<BenchRow>, peak: FmaPeak, threads: number): Array<string> => {
  const pairs = rows.flatMap((r) => r.torch.filter((t) => t.precision === "bf16-autocast").map((t) => ({ r, t })))
  if (pairs.length === 0) return []
  return [
    "",
    "| model | method | PyTorch bf16 autocast | tok/s | GFLOP/s (% of fp32 FMA peak) | vs its fp32 | peftlab backend (workers) | peftlab (fp32) / it |",
    "| --- | --- | --- | ---: | ---: | ---: | --- | ---: |",
    ...pairs.map(({ r, t }) => {
      const fp32 = r.torch.find((x) => x.precision === "fp32" && x.source === t.source)
      return `| ${r.model} | ${r.method} | ${runtimeLabel(t)} | ${fixed(t.tokensPerSecond, 1)} | ${ofPeak(gflopsOf(r.trainFlops, t.stepMs), peak, threads)} | ${fp32 ? `${fixed(t.tokensPerSecond / fp32.tokensPerSecond, 2)}x` : "n/a"} | ${r.backend} (${r.workers}) | ${fixed(r.peftlab.tokensPerSecond / t.tokensPerSecond, 2)}x |`
    }),
  ]
}

export const markdown = (report: BenchReport): string => {
  const { peak, ceilings } = report
  return [
    `Measured ${report.date} on ${report.machine}. FMA peak: ${fixed(peak.gflops, 0)} GFLOP/s fp32 on ${peak.cores} cores (${fixed(peak.ghz, 2)} GHz × ${peak.flopsPerCycle} flops/cycle: ${peak.microarchitecture}). ` +
      `Matmul ceiling: tfjs-wasm ${fixed(ceilings.wasmGflopsPerThread, 1)} GFLOP/s per thread` +
      ceilings.torch.map((c) => `, ${c.label} torch.mm ${fixed(c.gflops, 1)}`).join("") +
      ` GFLOP/s on ${ceilings.torchThreads} threads; WebAssembly SIMD128's peak on these cores ${fixed(simd128Gflops(peak), 0)} GFLOP/s (4 lanes per FMA pipe). Ratios: peftlab against the faster PyTorch fp32 of the row, tokens/s (target ≥ ${targets.trainRatio}x) and scoring latency (target ≤ ${targets.scoringRatio}x); ✗ marks a miss on ${targets.backends.join(" or ")}, peftlab's CPU backends. The second table judges each model and method on its fastest CPU backend.` +
      " The pure-JS cpu backend and webgpu (here on lavapipe, a software Vulkan) are shown for reference.",
    "",
    ...resultsTable(report.rows, peak, ceilings.torchThreads),
    "",
    ...targetTableLines(targetEntries(report.rows), peak),
    ...autocastTable(report.rows, peak, ceilings.torchThreads),
    ...(report.unavailable.length > 0 ? ["", ...report.unavailable.map((line) => `- ${line}`)] : []),
    ...(report.kernels.length > 0 ? ["", ...kernelTableLines(report.kernels)] : []),
  ].join("\n")
}

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->` in the README with `table`. */
export const replaceInReadme = async (readme: string, name: string, table: string): Promise<void> => {
  const [startMarker, endMarker] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`]
  const text = await readFile(readme, "utf8")
  const [start, end] = [text.indexOf(startMarker), text.indexOf(endMarker)]
  if (start < 0 || end < start) throw new Error(`${readme}: no ${startMarker} … ${endMarker} markers to put the table between`)
  await writeFileAtomic(readme, `${text.slice(0, start + startMarker.length)}\n${table}\n${text.slice(end)}`)
}

/** Writes results/latest.json and latest.md; with `readme`, replaces the README's table between its bench markers. */
export const writeReport = async (report: BenchReport, dir: string, readme?: string): Promise<void> => {
  const table = markdown(report)
  await writeFileAtomic(`${dir}/latest.json`, JSON.stringify(report, null, 2) + "\n")
  await writeFileAtomic(`${dir}/latest.md`, table + "\n")
  if (readme) await replaceInReadme(readme, "bench", table)
}
