// results.csv and results.md of a span-extraction run: one row per arm with strict micro
// precision, recall and F1, their lenient (overlap) counterparts, the strict F1 of each entity
// type, latency per sentence and trainable parameters.
import type { ArmResult } from "@peftlab/reporters"
import { writeResultTable } from "../../result-table.ts"

export const spanMetricNames = ["precision", "recall", "micro_f1", "lenient_precision", "lenient_recall", "lenient_f1"] as const

/** The names a span-extraction spec may list in evaluation.metrics (results.csv shows them all). */
export const spanEvaluationMetrics: ReadonlyArray<string> = [...spanMetricNames, "per_type_f1", "latency", "trainable_params"]

/** `types`: the entity types asked about, one f1_<type> column each. */
export const writeSpanResults = (outDir: string, results: ReadonlyArray<ArmResult>, types: ReadonlyArray<string>): Promise<void> => {
  const columns = ["arm", "kind", "n", ...spanMetricNames, ...types.map((type) => `f1_${type}`), "latency_mean_ms", "latency_p95_ms", "trainable_params"]
  const rows = results.map((r) => [
    r.arm,
    r.kind,
    r.n,
    ...spanMetricNames.map((name) => r.metrics?.[name] ?? Number.NaN),
    ...types.map((type) => r.perClassF1[type] ?? Number.NaN),
    r.latencyMeanMs,
    r.latencyP95Ms,
    r.trainableParams,
  ])
  return writeResultTable(outDir, columns, rows)
}
