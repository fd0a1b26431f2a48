// What a classification run's reports show: results.csv and results.md with each arm's own
// 95% bootstrap intervals, the figures drawn from the arms' predictions, and report.html's
// predicted label per test example.
import { classificationIntervals, writeResults, type FiguresInput, type HtmlExamples, type Interval, type ResultIntervals } from "@peftlab/reporters"
import type { FinishedRun } from "@peftlab/plugin-api"

/** Each arm's own 95% bootstrap CI of macro-F1 and accuracy, drawn as the figures draw them. */
const intervalsOf = (run: FinishedRun): Map<string, ResultIntervals> => {
  const found = classificationIntervals(run.finished, run.labels, run.spec.stats.bootstrap)
  const of = (arm: string, metric: string): Interval => {
    const interval = found.find((i) => i.arm === arm && i.metric === metric)
    return interval ? [interval.lo, interval.hi] : [Number.NaN, Number.NaN]
  }
  return new Map(run.finished.map(({ result }) => [result.arm, { macroF1: of(result.arm, "macro-F1"), accuracy: of(result.arm, "accuracy") }]))
}

export const writeClassificationResults = (outDir: string, run: FinishedRun): Promise<void> =>
  writeResults(
    outDir,
    run.finished.map((f) => f.result),
    run.labels,
    new Map(run.spec.arms.map((arm) => [arm.name, arm.config])),
    intervalsOf(run),
  )

export const classificationFigures = (run: FinishedRun): Omit<FiguresInput, "bootstrap"> => ({ labels: run.labels, arms: run.finished })

export const classificationExamples = (_outDir: string, run: FinishedRun): HtmlExamples => ({ arms: run.finished.map(({ result, predictions }) => ({ arm: result.arm, rows: predictions })) })
