// results.csv and results.md of a generative QA run: one row per arm with its generation
// metrics, latency and trainable parameters.
import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv, toMarkdownTable, type Align, type ArmResult } from "@peftlab/reporters"
import { generationMetricNames } from "./qa-task.ts"

export const qaResultColumns = ["arm", "kind", "n", ...generationMetricNames, "latency_mean_ms", "latency_p95_ms", "trainable_params"] as const

/** The names a generative-qa spec may list in evaluation.metrics (results.csv shows them all). */
export const qaMetricNames: ReadonlyArray<string> = [...generationMetricNames, "latency", "trainable_params"]

const rowOf = (r: ArmResult): Array<string | number> => [
  r.arm,
  r.kind,
  r.n,
  ...generationMetricNames.map((name) => r.metrics?.[name] ?? Number.NaN),
  r.latencyMeanMs,
  r.latencyP95Ms,
  r.trainableParams,
]

export const writeQAResults = async (outDir: string, results: ReadonlyArray<ArmResult>): Promise<void> => {
  const rows = results.map(rowOf)
  await writeFileAtomic(join(outDir, "results.csv"), toCsv([...qaResultColumns], rows))
  const shown = rows.map((row) => row.map((value) => (typeof value === "number" && !Number.isInteger(value) ? value.toFixed(4) : value)))
  await writeFileAtomic(join(outDir, "results.md"), `# Results\n\n${toMarkdownTable([...qaResultColumns], shown, qaResultColumns.map((_, i): Align => (i < 2 ? "left" : "right")))}`)
}
