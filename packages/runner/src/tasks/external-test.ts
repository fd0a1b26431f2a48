// evaluation.external_test, the parts every task kind shares (cross-site transfer: train on one
// site, test on another): where the evaluation-only set is read from (the spec's data settings
// with its own path, and its own kind and fields where given), the failure when cleaning leaves
// nothing of it, how it joins the data hash, and results_external.csv and .md. Each kind reads,
// scores and writes its predictions itself, as it does for its test split.
import { createHash } from "node:crypto"
import type { LoadReport } from "@peftlab/datasets"
import type { ArmResult } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import { writeResultTable } from "../result-table.ts"
import { SpecDataMismatch } from "../spec-data-mismatch.ts"

type Data = ExperimentSpec["data"]

/** Where evaluation.external_test is read from: data's settings, its path, and the kind that reads it. */
export interface ExternalSource {
  readonly data: Data
  readonly kind: string
}

/** The external set's source, undefined when the spec has none. */
export const externalSourceOf = (spec: ExperimentSpec): ExternalSource | undefined => {
  const external = spec.evaluation.external_test
  if (external === undefined) return undefined
  return { data: { ...spec.data, path: external.path, fields: external.fields ?? spec.data.fields }, kind: external.kind ?? spec.data.kind }
}

/** The failure of an external set that cleaning left without `unit` (sentences, examples). */
export const emptyExternalError = (path: string, report: LoadReport, unit: string): SpecDataMismatch =>
  new SpecDataMismatch({ source: path, detail: `evaluation.external_test has no ${unit} after cleaning (${report.read} read)` })

/** The data hash with the external set's hash joined in; the main hash unchanged without one, so resumed folders keep theirs. */
export const withExternalHash = (mainHash: string, externalHash: string | undefined): string =>
  externalHash === undefined ? mainHash : createHash("sha256").update(mainHash).update(externalHash).digest("hex")

/**
 * results_external.csv and .md, where any arm was evaluated on evaluation.external_test: its
 * `scores` (column names of the result's external metrics) per arm, under the main table's
 * column names; `notes` say how the scores were computed, after the line saying what the set is.
 */
export const writeExternalResults = async (outDir: string, results: ReadonlyArray<ArmResult>, scores: ReadonlyArray<string>, notes: ReadonlyArray<string> = []): Promise<void> => {
  const external = results.flatMap((r) => (r.external ? [{ r, external: r.external }] : []))
  if (external.length === 0) return
  await writeResultTable(
    outDir,
    ["arm", "kind", "n", ...scores],
    external.map(({ r, external: { n, metrics } }) => [r.arm, r.kind, n, ...scores.map((column) => metrics[column] ?? Number.NaN)]),
    ["Each arm as trained and selected on the main data, evaluated on evaluation.external_test (never trained or selected on).", ...notes],
    { file: "results_external", heading: "External test" },
  )
}
