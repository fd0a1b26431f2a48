// `peftlab compare`: several results folders side by side, one row per arm of each run, with
// the best value of each metric in bold.
import type { ArmResult } from "./results.ts"
import { toMarkdownTable } from "./markdown.ts"

export interface RunSummary {
  /** How the run is named in the table, e.g. its folder. */
  readonly run: string
  readonly experiment: string
  readonly results: ReadonlyArray<ArmResult>
}

const bold = (text: string) => `**${text}**`

/** A metric an arm reports: generation arms have no macro-F1 (null once read back from JSON). */
const finite = (value: number | null | undefined): value is number => typeof value === "number" && Number.isFinite(value)

export const compareRunsMarkdown = (runs: ReadonlyArray<RunSummary>): string => {
  const rows = runs.flatMap((r) => r.results.map((result) => ({ run: r.run, experiment: r.experiment, result })))
  const best = (pick: (r: ArmResult) => number, higher: boolean) => {
    const values = rows.map((row) => pick(row.result)).filter(finite)
    return higher ? Math.max(...values) : Math.min(...values)
  }
  const top = { macroF1: best((r) => r.macroF1, true), accuracy: best((r) => r.accuracy, true), latency: best((r) => r.latencyMeanMs, false) }
  const cell = (value: number, digits: number, isBest: boolean) => (!finite(value) ? "—" : isBest ? bold(value.toFixed(digits)) : value.toFixed(digits))
  return toMarkdownTable(
    ["run", "experiment", "arm", "n", "macro-F1", "accuracy", "latency mean (ms)", "trainable params"],
    rows.map(({ run, experiment, result }) => [
      run,
      experiment,
      result.arm,
      result.n,
      cell(result.macroF1, 4, result.macroF1 === top.macroF1),
      cell(result.accuracy, 4, result.accuracy === top.accuracy),
      cell(result.latencyMeanMs, 2, result.latencyMeanMs === top.latency),
      result.trainableParams,
    ]),
    ["left", "left", "left", "right", "right", "right", "right", "right"],
  )
}
