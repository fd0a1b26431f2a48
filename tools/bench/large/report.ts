// The large-model rows as a Markdown table (results/large.md, and README.md's memory table with --readme).
import type { LargeRow } from "./run.ts"

const gb = (bytes: number) => (bytes / 1e9).toFixed(2)

export const largeMarkdown = (rows: ReadonlyArray<LargeRow>): string =>
  [
    "| model and method | base in memory | batch | wasm workers | gradient checkpointing | peftlab tok/s | PyTorch fp32 tok/s | scoring ms/example peftlab | PyTorch | peak RSS GB | bound GB |",
    "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(({ case: c, peftlab, torch }) =>
      [
        c.name,
        c.base === "nf4" ? "NF4 (quantized while loading)" : "bf16 as stored",
        `${c.rows}x${c.seq}`,
        `${c.workers}`,
        c.gradientCheckpointing ? "on" : "off",
        peftlab.tokensPerSecond.toFixed(2),
        torch ? torch.tokensPerSecond.toFixed(1) : "n/a",
        peftlab.scoringMsPerExample.toFixed(0),
        torch ? torch.scoringMsPerExample.toFixed(0) : "n/a",
        `${gb(peftlab.maxRssBytes)}${peftlab.maxRssBytes > c.maxRssBytes ? " ✗" : ""}`,
        gb(c.maxRssBytes),
      ].join(" | "),
    ).map((line) => `| ${line} |`),
  ].join("\n")
