// The built-in reporters: the summary files of @peftlab/reporters (results.csv and results.md as
// the task kind writes them) and the trackers' copies of @peftlab/trackers, written once every
// arm is done. Per-arm files (predictions, confusion
// matrices, adapters) are written as each arm finishes, so that a stopped run keeps them.
import { existsSync, readdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { tryUserPromise } from "@peftlab/core"
import type { FinishedRun, Reporter } from "@peftlab/plugin-api"
import { writeFigures, writeHtmlReport, writeReport, writeStats, writeTrainLog } from "@peftlab/reporters"
import { writeMlflow, writeTensorBoard } from "@peftlab/trackers"
import { figuresInputOf } from "../reports/figures-input.ts"
import { headlineMetricOf } from "../reports/headline-metric.ts"
import { externalTableOf, htmlInputOf, tablesOf } from "../reports/html-input.ts"
import { trackedArms } from "../reports/tracked-arms.ts"
import { trackerFolders } from "../reports/tracker-folders.ts"
import { writeSelections } from "../selection.ts"
import { taskKindOf } from "../tasks/task-kinds.ts"

const trainLogRecords = ({ finished }: FinishedRun): Array<object> =>
  finished.flatMap(({ result, training }) => [
    ...(training?.steps ?? []).map((s) => ({ arm: result.arm, type: "step", ...s })),
    ...(training?.epochs ?? []).map((e) => ({ arm: result.arm, type: "epoch", ...e })),
  ])

const figureFiles = (outDir: string): Array<string> =>
  !existsSync(join(outDir, "figures")) ? [] : readdirSync(join(outDir, "figures"))
    .filter((file) => file.endsWith(".svg"))
    .sort()
    .map((file) => `figures/${file}`)

/**
 * A Promise-based writer as a Reporter, wrapped once: an input error it throws, or a file-system
 * error a user fixes (asFileSystemError: a full disk, a read-only mount), fails; anything else is a bug.
 */
const fromPromise = (name: string, write: (outDir: string, run: FinishedRun) => Promise<void>): Reporter => ({
  name,
  write: (outDir, run) => tryUserPromise(() => write(outDir, run)),
})

// In order: report and html read what results, stats and figures wrote; the trackers read
// results.csv, and MLflow keeps report.html among each run's artifacts.
export const builtinReporters: ReadonlyArray<Reporter> = [
  fromPromise("results", (outDir, run) => taskKindOf(run.spec.task).writeResults(outDir, run)),
  fromPromise("stats", (outDir, run) => writeStats(outDir, run.comparisons)),
  fromPromise("train_log", (outDir, run) => writeTrainLog(outDir, trainLogRecords(run))),
  fromPromise("selection", async (outDir, run) => (run.selections.length > 0 ? writeSelections(outDir, run.selections) : undefined)),
  fromPromise("figures", async (outDir, run) => void (await writeFigures(outDir, figuresInputOf(run)))),
  fromPromise("report", (outDir, run) => {
    const externalTable = externalTableOf(outDir, run)
    return writeReport(outDir, {
      name: run.spec.name,
      n: run.finished[0]?.result.n ?? 0,
      metric: headlineMetricOf(run.spec),
      alpha: 0.05,
      comparisons: run.comparisons,
      resultsTable: tablesOf(outDir, "results.md"),
      statsTables: tablesOf(outDir, "stats.md"),
      ...(externalTable !== undefined && { externalTable }),
      figures: figureFiles(outDir),
      ...(run.truncation && { truncation: run.truncation }),
    })
  }),
  fromPromise("html", (outDir, run) => writeHtmlReport(outDir, htmlInputOf(outDir, run))),
  fromPromise("tensorboard", async (outDir, run) => void (await writeTensorBoard(trackerFolders(outDir, run.spec.output).tensorboard, run.spec.name, trackedArms(outDir, run)))),
  fromPromise("mlflow", async (outDir, run) => {
    const runs = trackedArms(outDir, run).map((arm) => ({
      ...arm,
      // The same experiment and arm keep their run id: a rebuilt report replaces the run, a new spec adds one.
      runIdSeed: `${run.fingerprint}\0${arm.arm}`,
      tags: { "peftlab.fingerprint": run.fingerprint, "peftlab.results": resolve(outDir) },
    }))
    await writeMlflow(trackerFolders(outDir, run.spec.output).mlflow, run.spec.name, runs)
  }),
]
