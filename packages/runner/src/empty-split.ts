// A split left without examples stops the run. When cleaning dropped every row the fault is
// not the split's fraction but the data or its cleaning, so the message says what was read and
// why each row went (issue 17: "leaves no examples out of 0; give it a larger fraction").
import type { LoadReport } from "@peftlab/datasets"
import { SpecDataMismatch } from "./spec-data-mismatch.ts"

type Splits = { readonly train: ReadonlyArray<unknown>; readonly val: ReadonlyArray<unknown>; readonly test: ReadonlyArray<unknown> }

/** The error for the first empty split of `splits`, made from `total` cleaned items of `path`; undefined when none is empty. */
export const emptySplitError = (path: string, splits: Splits, total: number, report: LoadReport, unit = "examples"): SpecDataMismatch | undefined => {
  const empty = (["train", "val", "test"] as const).find((name) => splits[name].length === 0)
  if (empty === undefined) return undefined
  if (total > 0) return new SpecDataMismatch({ source: path, detail: `data.split.${empty} leaves no ${unit} out of ${total}; give it a larger fraction` })
  const reasons = Object.entries(report.dropped).map(([reason, count]) => `${count} ${reason}`)
  return new SpecDataMismatch({
    source: path,
    detail: `no ${unit} are left after cleaning: ${report.read} read${reasons.length > 0 ? `, dropped as ${reasons.join(", ")}` : ""}; check data.fields and data.cleaning against the file`,
  })
}
