// What a classification run's reports show: results.csv and results.md with each arm's own
// 95% bootstrap intervals (with evaluation.external_test, results_external.csv and .md: the same
// scores on that set), the figures drawn from the arms' predictions, and report.html's predicted
// label per test example.
import { classificationIntervals, writeResults, type FiguresInput, type HtmlExamples, type Interval, type ResultIntervals } from "@peftlab/reporters"
import type { FinishedRun } from "@peftlab/plugin-api"
import { extraMetricNames } from "../../registry/metrics.ts"
import { writeExternalResults } from "../external-test.ts"

/** Each arm's own 95% bootstrap CI of macro-F1 and accuracy, drawn as the figures draw them. */
const intervalsOf = (run: FinishedRun): Map<string, ResultIntervals> => {
  const found = classificationIntervals(run.finished, run.labels, run.spec.stats.bootstrap)
  const of = (arm: string, metric: string): Interval => {
    const interval = found.find((i) => i.arm === arm && i.metric === metric)
    return interval ? [interval.lo, interval.hi] : [Number.NaN, Number.NaN]
  }
  return new Map(run.finished.map(({ result }) => [result.arm, { macroF1: of(result.arm, "macro-F1"), accuracy: of(result.arm, "accuracy") }]))
}

export const writeClassificationResults = async (outDir: string, run: FinishedRun): Promise<void> => {
  const results = run.finished.map((f) => f.result)
  await writeResults(outDir, results, run.labels, new Map(run.spec.arms.map((arm) => [arm.name, arm.config])), intervalsOf(run))
  // results.csv's score columns, by the same names.
  await writeExternalResults(outDir, results, ["macro_f1", "accuracy", ...run.labels.map((label) => `f1_${label}`), ...extraMetricNames(run.spec)])
}

export const classificationFigures = (run: FinishedRun): Omit<FiguresInput, "bootstrap"> => ({ labels: run.labels, arms: run.finished })

export const classificationExamples = (_outDir: string, run: FinishedRun): HtmlExamples => ({ arms: run.finished.map(({ result, predictions }) => ({ arm: result.arm, rows: predictions })) })
