// report.md: the experiment in one page: a generated summary of which arms beat the baseline
// significantly, the results and statistics tables, and the figures. The tables are the ones
// results.md and stats.md hold, so the report never disagrees with them.
import { join } from "node:path"
import { describeTruncation, type TruncationCounts, writeFileAtomic } from "@peftlab/core"
import { formatP, signed } from "./format.ts"
import type { Comparison } from "./stats-report.ts"

export interface ReportInput {
  readonly name: string
  /** Test examples each arm was scored on. */
  readonly n: number
  /** The metric the summary judges arms by (a key of each comparison's bootstrap). */
  readonly metric: string
  readonly alpha: number
  readonly comparisons: ReadonlyArray<Comparison>
  /** results.md and stats.md as written, without their top-level headings. */
  readonly resultsTable: string
  readonly statsTables: string
  /** results_external.md as written, without its heading: the arms on an evaluation-only test set; no section when absent. */
  readonly externalTable?: string
  /** Figure files relative to the results folder, e.g. figures/performance.svg. */
  readonly figures: ReadonlyArray<string>
  /** Inputs cut to fit training.max_length (manifest.json's truncation); no line when absent. */
  readonly truncation?: TruncationCounts
}

/** One sentence per comparison: better, worse or no significant difference, with the evidence. */
export const summaryLines = ({ comparisons, metric, alpha }: Pick<ReportInput, "comparisons" | "metric" | "alpha">): Array<string> =>
  comparisons.flatMap((c) => {
    const s = c.bootstrap?.[metric]
    if (!s) return []
    const p = s.pHolm ?? s.pValue
    const which = s.pHolm === undefined ? "p" : "Holm-adjusted p"
    const evidence = `${metric} ${signed(s.observed, 4)} [${signed(s.ci95[0], 4)}, ${signed(s.ci95[1], 4)}], ${which} ${p === 0 ? "" : "= "}${formatP(p, s.B)}`
    if (p >= alpha) return [`- ${c.arm} is not significantly different from ${c.baseline} (${evidence}).`]
    return [`- ${c.arm} is significantly ${s.observed > 0 ? "better" : "worse"} than ${c.baseline} (${evidence}).`]
  })

/** `Truncation: train 0 of 100, val 3 of 20, test 16 of 60 examples cut to fit training.max_length 256 (first: test 12345).` */
export const truncationLine = (counts: TruncationCounts): string => `Truncation: ${describeTruncation(counts)}.`

const figureLines = (figures: ReadonlyArray<string>): string =>
  figures.map((file) => `![${file.replace(/^figures\//, "").replace(/\.svg$/, "")}](${file})`).join("\n\n")

export const reportMarkdown = (input: ReportInput): string => {
  const summary = summaryLines(input)
  return [
    `# ${input.name}`,
    "",
    `Test set: n = ${input.n}. Significance: paired bootstrap on ${input.metric}, α = ${input.alpha}${input.comparisons.length > 1 ? ", Holm-adjusted across arms" : ""}.`,
    "",
    ...(input.truncation === undefined ? [] : [truncationLine(input.truncation), ""]),
    ...(summary.length > 0 ? summary : ["- No arm was compared with a baseline."]),
    "",
    "## Results",
    "",
    input.resultsTable.trim(),
    "",
    ...(input.externalTable === undefined ? [] : ["## External test", "", input.externalTable.trim(), ""]),
    "## Statistics",
    "",
    input.statsTables.trim(),
    ...(input.figures.length > 0 ? ["", "## Figures", "", figureLines(input.figures)] : []),
    "",
  ].join("\n")
}

export const writeReport = (dir: string, input: ReportInput): Promise<void> => writeFileAtomic(join(dir, "report.md"), reportMarkdown(input))
