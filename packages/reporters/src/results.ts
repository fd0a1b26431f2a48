import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv } from "./csv.ts"
import { type Align, toMarkdownTable } from "./markdown.ts"

export interface ArmResult {
  readonly arm: string
  readonly kind: string
  readonly n: number
  readonly accuracy: number
  readonly macroF1: number
  readonly perClassF1: Readonly<Record<string, number>>
  readonly latencyMeanMs: number
  readonly latencyP95Ms: number
  readonly trainableParams: number
}

/**
 * results.csv (full precision, machine-readable) and results.md (metrics to 4 decimals,
 * milliseconds to 2): one row per arm, with one F1 column per label in `labels` order.
 */
export const writeResults = async (dir: string, results: readonly ArmResult[], labels: readonly string[]): Promise<void> => {
  const f1s = results.map((r) =>
    labels.map((label) => {
      const f1 = r.perClassF1[label]
      if (f1 === undefined) throw new RangeError(`arm ${r.arm} has no F1 for label ${JSON.stringify(label)}`)
      return f1
    }),
  )
  const csvHeader = ["arm", "kind", "n", "macro_f1", "accuracy", ...labels.map((l) => `f1_${l}`), "latency_mean_ms", "latency_p95_ms", "trainable_params"]
  const csvRows = results.map((r, i) => [r.arm, r.kind, r.n, r.macroF1, r.accuracy, ...f1s[i]!, r.latencyMeanMs, r.latencyP95Ms, r.trainableParams])
  const mdHeader = ["arm", "kind", "n", "macro-F1", "accuracy", ...labels.map((l) => `F1 ${l}`), "latency mean (ms)", "latency p95 (ms)", "trainable params"]
  const mdRows = results.map((r, i) => [
    r.arm,
    r.kind,
    r.n,
    r.macroF1.toFixed(4),
    r.accuracy.toFixed(4),
    ...f1s[i]!.map((f1) => f1.toFixed(4)),
    r.latencyMeanMs.toFixed(2),
    r.latencyP95Ms.toFixed(2),
    r.trainableParams,
  ])
  const align = mdHeader.map((_, i): Align => (i < 2 ? "left" : "right"))
  await writeFileAtomic(join(dir, "results.csv"), toCsv(csvHeader, csvRows))
  await writeFileAtomic(join(dir, "results.md"), `# Results\n\n${toMarkdownTable(mdHeader, mdRows, align)}`)
}
