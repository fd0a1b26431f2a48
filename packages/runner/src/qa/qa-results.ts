// results.csv and results.md of a generative QA run: one row per arm with its generation
// metrics, latency and trainable parameters.
import type { ArmResult } from "@peftlab/reporters"
import { writeResultTable } from "../result-table.ts"
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

export const writeQAResults = (outDir: string, results: ReadonlyArray<ArmResult>): Promise<void> =>
  writeResultTable(outDir, qaResultColumns, results.map(rowOf))
