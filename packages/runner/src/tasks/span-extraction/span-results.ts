// results.csv and results.md of a span-extraction run: one row per arm with strict micro
// precision, recall and F1, their lenient (overlap) counterparts, the strict F1 of each entity
// type, with task.relations the strict triple precision, recall and F1 and each relation type's
// F1, then latency per sentence and trainable parameters. With evaluation.external_test,
// results_external.csv and .md: the same scores of each arm on that evaluation-only set.
import type { ArmResult } from "@peftlab/reporters"
import { writeResultTable } from "../../result-table.ts"
import { writeExternalResults } from "../external-test.ts"

export const spanMetricNames = ["precision", "recall", "micro_f1", "lenient_precision", "lenient_recall", "lenient_f1"] as const

export const relationMetricNames = ["relation_precision", "relation_recall", "relation_f1"] as const

/** The names a span-extraction spec may list in evaluation.metrics (results.csv shows them all). */
export const spanEvaluationMetrics: ReadonlyArray<string> = [...spanMetricNames, "per_type_f1", ...relationMetricNames, "per_relation_f1", "latency", "trainable_params"]

/** The score columns (no arm, latency or size) of entity `types` and `relationTypes` (none without task.relations). */
const scoreColumns = (types: ReadonlyArray<string>, relationTypes: ReadonlyArray<string> | undefined): Array<string> => [
  ...spanMetricNames,
  ...types.map((type) => `f1_${type}`),
  ...(relationTypes ? [...relationMetricNames, ...relationTypes.map((type) => `relation_f1_${type}`)] : []),
]

/**
 * `types`: the entity types asked about, one f1_<type> column each; `relationTypes`:
 * task.relations' types (relation columns only when given).
 */
export const writeSpanResults = async (
  outDir: string,
  results: ReadonlyArray<ArmResult>,
  types: ReadonlyArray<string>,
  relationTypes?: ReadonlyArray<string>,
): Promise<void> => {
  const scores = scoreColumns(types, relationTypes)
  // Entity types' F1 are the result's perClassF1; every other score is in its metrics by column name.
  const score = (r: ArmResult, column: string) =>
    column.startsWith("f1_") && types.includes(column.slice(3)) ? (r.perClassF1[column.slice(3)] ?? Number.NaN) : (r.metrics?.[column] ?? Number.NaN)
  const columns = ["arm", "kind", "n", ...scores, "latency_mean_ms", "latency_p95_ms", "trainable_params"]
  const rows = results.map((r) => [r.arm, r.kind, r.n, ...scores.map((column) => score(r, column)), r.latencyMeanMs, r.latencyP95Ms, r.trainableParams])
  await writeResultTable(outDir, columns, rows)
  await writeExternalResults(outDir, results, scores)
}
