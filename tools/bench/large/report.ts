// The large-model rows as a Markdown table (results/large.md, and README.md's memory table with
// --readme): peak RSS against each case's bound, and throughput against every PyTorch build
// measured (ratios against the faster fp32 one, as the main table's), and the decoder rows' GFLOP/s
// as a share of the FMA peak of the cores each side used (flops counted as in ../llama/flops.ts),
// then the targets' table for the decoder models (../targets.ts).
import { readFileSync } from "node:fs"
import { forwardFlops, trainingFlops } from "../llama/flops.ts"
import type { FmaPeak } from "../machine/fma-peak.ts"
import { fp32Baselines, gflopsOf, ofPeak, runtimeCells, runtimeColumns } from "../report.ts"
import { targetTableLines, type TargetEntry } from "../targets.ts"
import type { LargeCase } from "./cases.ts"
import type { LargeRow } from "./run.ts"

const gb = (bytes: number) => (bytes / 1e9).toFixed(2)

/** A causal case's training flops per step and scoring flops per example; undefined for seq2seq (FLAN-T5), which flops.ts does not count. */
const caseFlops = (c: LargeCase): { step: number; scoring: number } | undefined => {
  if (c.family !== "causal") return undefined
  const config = JSON.parse(readFileSync(c.config, "utf8"))
  return { step: trainingFlops(config, c.method, c.rows, c.seq), scoring: forwardFlops(config, c.method, 1, c.seq) }
}

/** The cores a case's peftlab computes on: native GEMM threads take every core; a wasm worker one, and a worker without a row of the batch none. */
const coresUsed = (c: LargeCase, peak: FmaPeak): number => (c.backend === "native" ? peak.cores : Math.min(c.workers, c.rows))

/** The decoder rows with a PyTorch fp32 baseline, for the targets' table (QLoRA apart from LoRA). */
const targetEntries = (rows: ReadonlyArray<LargeRow>, peak: FmaPeak): Array<TargetEntry> =>
  rows.flatMap(({ case: c, peftlab, torch }) => {
    const [base, flops] = [fp32Baselines(torch), caseFlops(c)]
    if (base === undefined || flops === undefined) return []
    return [{
      model: c.model,
      method: c.base === "nf4" ? "qlora" : c.method,
      backend: c.backend,
      cores: coresUsed(c, peak),
      trainRatio: peftlab.tokensPerSecond / base.train.tokensPerSecond,
      latencyRatio: peftlab.scoringMsPerExample / base.scoring.scoringMsPerExample,
      torchTrainGflops: gflopsOf(flops.step, base.train.stepMs),
      torchScoringGflops: gflopsOf(flops.scoring, base.scoring.scoringMsPerExample),
    }]
  })

/** `torchThreads`: the threads PyTorch ran on. */
export const largeMarkdown = (rows: ReadonlyArray<LargeRow>, peak: FmaPeak, torchThreads: number): string => {
  const columns = runtimeColumns(rows.map((r) => r.torch))
  return [
    `| model and method | base in memory | batch | backend (workers) | gradient checkpointing | peftlab tok/s | ${columns.map((c) => `${c} fp32 tok/s`).join(" | ")} | train ratio | peftlab GFLOP/s (% of FMA peak) | PyTorch GFLOP/s (% of FMA peak) | scoring ms/example peftlab | PyTorch | latency ratio | peak RSS GB | bound GB |`,
    `| --- | --- | --- | ---: | --- | ---: | ${columns.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map(({ case: c, peftlab, torch }) => {
      const base = fp32Baselines(torch)
      const flops = caseFlops(c)?.step
      const peftlabCores = coresUsed(c, peak)
      return [
        c.name,
        c.base === "nf4" ? "NF4 (quantized while loading)" : "bf16 as stored",
        `${c.rows}x${c.seq}`,
        `${c.backend} (${c.workers})`,
        c.gradientCheckpointing ? "on" : "off",
        peftlab.tokensPerSecond.toFixed(2),
        ...runtimeCells(columns, torch),
        base ? `${(peftlab.tokensPerSecond / base.train.tokensPerSecond).toFixed(2)}x` : "n/a",
        flops ? ofPeak(gflopsOf(flops, peftlab.stepMs), peak, peftlabCores) : "n/a",
        flops && base ? ofPeak(gflopsOf(flops, base.train.stepMs), peak, torchThreads) : "n/a",
        peftlab.scoringMsPerExample.toFixed(0),
        base ? base.scoring.scoringMsPerExample.toFixed(0) : "n/a",
        base ? `${(peftlab.scoringMsPerExample / base.scoring.scoringMsPerExample).toFixed(2)}x` : "n/a",
        `${gb(peftlab.maxRssBytes)}${peftlab.maxRssBytes > c.maxRssBytes ? " ✗" : ""}`,
        gb(c.maxRssBytes),
      ].join(" | ")
    }).map((line) => `| ${line} |`),
    ...(targetEntries(rows, peak).length > 0 ? ["", ...targetTableLines(targetEntries(rows, peak), peak)] : []),
  ].join("\n")
}
