// The large-model rows as a Markdown table (results/large.md, and README.md's memory table with
// --readme): peak RSS against each case's bound, and throughput against every PyTorch build
// measured (ratios against the faster fp32 one, as the main table's).
import { fp32Baselines, runtimeCells, runtimeColumns } from "../report.ts"
import type { LargeRow } from "./run.ts"

const gb = (bytes: number) => (bytes / 1e9).toFixed(2)

export const largeMarkdown = (rows: ReadonlyArray<LargeRow>): string => {
  const columns = runtimeColumns(rows.map((r) => r.torch))
  return [
    `| model and method | base in memory | batch | backend (workers) | gradient checkpointing | peftlab tok/s | ${columns.map((c) => `${c} fp32 tok/s`).join(" | ")} | train ratio | scoring ms/example peftlab | PyTorch | latency ratio | peak RSS GB | bound GB |`,
    `| --- | --- | --- | ---: | --- | ---: | ${columns.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map(({ case: c, peftlab, torch }) => {
      const base = fp32Baselines(torch)
      return [
        c.name,
        c.base === "nf4" ? "NF4 (quantized while loading)" : "bf16 as stored",
        `${c.rows}x${c.seq}`,
        `${c.backend} (${c.workers})`,
        c.gradientCheckpointing ? "on" : "off",
        peftlab.tokensPerSecond.toFixed(2),
        ...runtimeCells(columns, torch),
        base ? `${(peftlab.tokensPerSecond / base.train.tokensPerSecond).toFixed(2)}x` : "n/a",
        peftlab.scoringMsPerExample.toFixed(0),
        base ? base.scoring.scoringMsPerExample.toFixed(0) : "n/a",
        base ? `${(peftlab.scoringMsPerExample / base.scoring.scoringMsPerExample).toFixed(2)}x` : "n/a",
        `${gb(peftlab.maxRssBytes)}${peftlab.maxRssBytes > c.maxRssBytes ? " ✗" : ""}`,
        gb(c.maxRssBytes),
      ].join(" | ")
    }).map((line) => `| ${line} |`),
  ].join("\n")
}
