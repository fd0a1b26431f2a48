// The built-in reporters: the summary files of @peftlab/reporters, written once every arm is
// done. Per-arm files (predictions, confusion matrices, adapters) are written as each arm
// finishes, so that a stopped run keeps them.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { classificationIntervals, writeFigures, writeReport, writeResults, writeStats, writeTrainLog, type Interval, type ResultIntervals } from "@peftlab/reporters"
import { isGenerativeQa } from "@peftlab/spec"
import { writeQAResults } from "../qa/qa-results.ts"
import { writeSelections } from "../selection.ts"
import type { FinishedRun, Reporter } from "./entries.ts"

const trainLogRecords = ({ finished }: FinishedRun): Array<object> =>
  finished.flatMap(({ result, training }) => [
    ...(training?.steps ?? []).map((s) => ({ arm: result.arm, type: "step", ...s })),
    ...(training?.epochs ?? []).map((e) => ({ arm: result.arm, type: "epoch", ...e })),
  ])

/** Each arm's own 95% bootstrap CI of macro-F1 and accuracy, drawn as the figures draw them. */
const intervalsOf = (run: FinishedRun): Map<string, ResultIntervals> => {
  const found = classificationIntervals(run.finished, run.labels, run.spec.stats.bootstrap)
  const of = (arm: string, metric: string): Interval => {
    const interval = found.find((i) => i.arm === arm && i.metric === metric)
    return interval ? [interval.lo, interval.hi] : [Number.NaN, Number.NaN]
  }
  return new Map(run.finished.map(({ result }) => [result.arm, { macroF1: of(result.arm, "macro-F1"), accuracy: of(result.arm, "accuracy") }]))
}

/** A markdown file as written, without its first heading, to stitch into report.md. */
const tablesOf = (outDir: string, file: string): string => readFileSync(join(outDir, file), "utf8").replace(/^# [^\n]*\n+/, "")

const figureFiles = (outDir: string): Array<string> =>
  !existsSync(join(outDir, "figures")) ? [] : readdirSync(join(outDir, "figures"))
    .filter((file) => file.endsWith(".svg"))
    .sort()
    .map((file) => `figures/${file}`)

// In order: report reads what results, stats and figures wrote.
export const builtinReporters: ReadonlyArray<Reporter> = [
  {
    name: "results",
    write: (outDir, run) =>
      isGenerativeQa(run.spec.task)
        ? writeQAResults(outDir, run.finished.map((f) => f.result))
        : writeResults(
        outDir,
        run.finished.map((f) => f.result),
        run.labels,
        new Map(run.spec.arms.map((arm) => [arm.name, arm.config])),
        intervalsOf(run),
      ),
  },
  { name: "stats", write: (outDir, run) => writeStats(outDir, run.comparisons) },
  { name: "train_log", write: (outDir, run) => writeTrainLog(outDir, trainLogRecords(run)) },
  { name: "selection", write: async (outDir, run) => (run.selections.length > 0 ? writeSelections(outDir, run.selections) : undefined) },
  {
    name: "figures",
    // The figures draw classification metrics; a generative QA run has none to draw.
    write: async (outDir, run) => {
      if (isGenerativeQa(run.spec.task)) return
      await writeFigures(outDir, { labels: run.labels, arms: run.finished, bootstrap: run.spec.stats.bootstrap })
    },
  },
  {
    name: "report",
    write: (outDir, run) =>
      writeReport(outDir, {
        name: run.spec.name,
        n: run.finished[0]?.result.n ?? 0,
        metric: isGenerativeQa(run.spec.task) ? "rougeL" : "macro_f1",
        alpha: 0.05,
        comparisons: run.comparisons,
        resultsTable: tablesOf(outDir, "results.md"),
        statsTables: tablesOf(outDir, "stats.md"),
        figures: figureFiles(outDir),
      }),
  },
]
