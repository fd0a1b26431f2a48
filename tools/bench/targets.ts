// The speed targets of issue 20 and whether each model and method meets them: training throughput
// at least the faster PyTorch fp32's and scoring latency at most its, on peftlab's fastest CPU
// backend for that model and method (wasm, and native where its addon loads). Beside it, wasm's
// own ratios and the best training ratio any wasm build could reach: WebAssembly SIMD128 retires
// 4 lanes per FMA pipe (machine/fma-peak.ts' simd128Gflops), so where PyTorch already runs faster
// than that ceiling, no wasm kernel can match it. Shared by the main table and the large models'.
import { simd128Gflops, type FmaPeak } from "./machine/fma-peak.ts"

export const targets = { backends: ["wasm", "native"], trainRatio: 1, scoringRatio: 1 } as const

export const hasTarget = (backend: string): boolean => (targets.backends as ReadonlyArray<string>).includes(backend)

/** One measured row, reduced to what the targets read. */
export interface TargetEntry {
  readonly model: string
  readonly method: string
  readonly backend: string
  /** Cores the row's peftlab used (wasm: one per worker). */
  readonly cores: number
  readonly trainRatio: number
  readonly latencyRatio: number
  /** GFLOP/s of the PyTorch fp32 training and scoring the ratios are taken against. */
  readonly torchTrainGflops: number
  readonly torchScoringGflops: number
}

const ratio = (x: number) => `${x.toFixed(2)}x`

/** The targets' table: one line per model and method that has a row on a target backend. */
export const targetTableLines = (entries: ReadonlyArray<TargetEntry>, peak: FmaPeak): Array<string> => {
  const groups = new Map<string, Array<TargetEntry>>()
  for (const entry of entries.filter((e) => hasTarget(e.backend))) {
    const key = `${entry.model} | ${entry.method}`
    groups.set(key, [...(groups.get(key) ?? []), entry])
  }
  if (groups.size === 0) return []
  return [
    `| model | method | fastest CPU backend | train ratio (target ≥ ${targets.trainRatio}x) | latency ratio (≤ ${targets.scoringRatio}x) | targets | wasm train / latency ratio | wasm's best possible at SIMD128's peak: train / latency ratio |`,
    "| --- | --- | --- | ---: | ---: | --- | ---: | ---: |",
    ...[...groups].map(([key, group]) => {
      const best = group.reduce((a, b) => (b.trainRatio > a.trainRatio ? b : a))
      const met = best.trainRatio >= targets.trainRatio && best.latencyRatio <= targets.scoringRatio
      const wasm = group.find((e) => e.backend === "wasm")
      return [
        key,
        best.backend,
        ratio(best.trainRatio),
        ratio(best.latencyRatio),
        met ? "met" : "✗ missed",
        wasm ? `${ratio(wasm.trainRatio)} / ${ratio(wasm.latencyRatio)}` : "n/a",
        wasm ? `${ratio(simd128Gflops(peak, wasm.cores) / wasm.torchTrainGflops)} / ${ratio(wasm.torchScoringGflops / simd128Gflops(peak, wasm.cores))}` : "n/a",
      ].join(" | ")
    }).map((line) => `| ${line} |`),
  ]
}
