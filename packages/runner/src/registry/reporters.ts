// The built-in reporters: the summary files of @peftlab/reporters and the trackers' copies of
// @peftlab/trackers, written once every arm is done. Per-arm files (predictions, confusion
// matrices, adapters) are written as each arm finishes, so that a stopped run keeps them.
import { existsSync, readdirSync } from "node:fs"
import { join, resolve } from "node:path"
import {
  classificationIntervals, writeFigures, writeHtmlReport, writeReport, writeResults, writeStats, writeTrainLog, type Interval, type ResultIntervals,
} from "@peftlab/reporters"
import { isGenerativeQa, isSpanExtraction } from "@peftlab/spec"
import { writeMlflow, writeTensorBoard } from "@peftlab/trackers"
import { writeQAResults } from "../qa/qa-results.ts"
import { figuresInputOf } from "../reports/figures-input.ts"
import { headlineMetricOf } from "../reports/headline-metric.ts"
import { htmlInputOf, tablesOf } from "../reports/html-input.ts"
import { trackedArms } from "../reports/tracked-arms.ts"
import { trackerFolders } from "../reports/tracker-folders.ts"
import { writeSpanResults } from "../span/span-results.ts"
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


const figureFiles = (outDir: string): Array<string> =>
  !existsSync(join(outDir, "figures")) ? [] : readdirSync(join(outDir, "figures"))
    .filter((file) => file.endsWith(".svg"))
    .sort()
    .map((file) => `figures/${file}`)

// In order: report and html read what results, stats and figures wrote; the trackers read
// results.csv, and MLflow keeps report.html among each run's artifacts.
export const builtinReporters: ReadonlyArray<Reporter> = [
  {
    name: "results",
    write: (outDir, run) => {
      // A folder made before evaluation.rouge_stemmer existed has none in its manifest: it was off.
      if (isGenerativeQa(run.spec.task)) return writeQAResults(outDir, run.finished.map((f) => f.result), run.spec.evaluation.rouge_stemmer === true)
      if (isSpanExtraction(run.spec.task)) return writeSpanResults(outDir, run.finished.map((f) => f.result), run.labels)
      return writeResults(
        outDir,
        run.finished.map((f) => f.result),
        run.labels,
        new Map(run.spec.arms.map((arm) => [arm.name, arm.config])),
        intervalsOf(run),
      )
    },
  },
  { name: "stats", write: (outDir, run) => writeStats(outDir, run.comparisons) },
  { name: "train_log", write: (outDir, run) => writeTrainLog(outDir, trainLogRecords(run)) },
  { name: "selection", write: async (outDir, run) => (run.selections.length > 0 ? writeSelections(outDir, run.selections) : undefined) },
  { name: "figures", write: async (outDir, run) => void (await writeFigures(outDir, figuresInputOf(run))) },
  {
    name: "report",
    write: (outDir, run) =>
      writeReport(outDir, {
        name: run.spec.name,
        n: run.finished[0]?.result.n ?? 0,
        metric: headlineMetricOf(run.spec),
        alpha: 0.05,
        comparisons: run.comparisons,
        resultsTable: tablesOf(outDir, "results.md"),
        statsTables: tablesOf(outDir, "stats.md"),
        figures: figureFiles(outDir),
        ...(run.truncation && { truncation: run.truncation }),
      }),
  },
  { name: "html", write: (outDir, run) => writeHtmlReport(outDir, htmlInputOf(outDir, run)) },
  {
    name: "tensorboard",
    write: async (outDir, run) => void (await writeTensorBoard(trackerFolders(outDir, run.spec.output).tensorboard, run.spec.name, trackedArms(outDir, run))),
  },
  {
    name: "mlflow",
    write: async (outDir, run) => {
      const runs = trackedArms(outDir, run).map((arm) => ({
        ...arm,
        // The same experiment and arm keep their run id: a rebuilt report replaces the run, a new spec adds one.
        runIdSeed: `${run.fingerprint}\0${arm.arm}`,
        tags: { "peftlab.fingerprint": run.fingerprint, "peftlab.results": resolve(outDir) },
      }))
      await writeMlflow(trackerFolders(outDir, run.spec.output).mlflow, run.spec.name, runs)
    },
  },
]
