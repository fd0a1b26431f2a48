// What report.html shows of a finished run: the summary and tables of report.md, the figures'
// Vega-Lite specs (embedded live), and every test example with each arm's prediction and score.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { figureSpecs, summaryLines, type HtmlReportInput } from "@peftlab/reporters"
import type { FinishedRun } from "@peftlab/plugin-api"
import { taskKindOf } from "../tasks/task-kinds.ts"
import { figuresInputOf } from "./figures-input.ts"
import { headlineMetricOf } from "./headline-metric.ts"

/** A markdown file as written, without its first heading. */
export const tablesOf = (outDir: string, file: string): string => readFileSync(join(outDir, file), "utf8").replace(/^# [^\n]*\n+/, "")

/** results_external.md without its heading, where the run evaluated its arms on evaluation.external_test. */
export const externalTableOf = (outDir: string, run: FinishedRun): string | undefined =>
  run.finished.some((f) => f.result.external !== undefined) ? tablesOf(outDir, "results_external.md") : undefined

export const htmlInputOf = (outDir: string, run: FinishedRun): HtmlReportInput => {
  const external = externalTableOf(outDir, run)
  return {
    title: run.spec.name,
    summary: summaryLines({ comparisons: run.comparisons, metric: headlineMetricOf(run.spec), alpha: 0.05 }),
    sections: [
      { heading: "Results", markdown: tablesOf(outDir, "results.md") },
      ...(external === undefined ? [] : [{ heading: "External test", markdown: external }]),
      { heading: "Statistics", markdown: tablesOf(outDir, "stats.md") },
    ],
    figures: figureSpecs(figuresInputOf(run)),
    // Per arm, one row per test example in the same order: gold, prediction and its score.
    examples: taskKindOf(run.spec.task).htmlExamples(outDir, run),
  }
}
