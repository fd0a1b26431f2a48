// The built-in reporters: the summary files of @peftlab/reporters, written once every arm is
// done. Per-arm files (predictions, confusion matrices, adapters) are written as each arm
// finishes, so that a stopped run keeps them.
import { writeResults, writeStats, writeTrainLog } from "@peftlab/reporters"
import { writeSelections } from "../selection.ts"
import type { FinishedRun, Reporter } from "./entries.ts"

const trainLogRecords = ({ finished }: FinishedRun): Array<object> =>
  finished.flatMap(({ result, training }) => [
    ...(training?.steps ?? []).map((s) => ({ arm: result.arm, type: "step", ...s })),
    ...(training?.epochs ?? []).map((e) => ({ arm: result.arm, type: "epoch", ...e })),
  ])

export const builtinReporters: ReadonlyArray<Reporter> = [
  {
    name: "results",
    write: (outDir, run) =>
      writeResults(
        outDir,
        run.finished.map((f) => f.result),
        run.labels,
        new Map(run.spec.arms.map((arm) => [arm.name, arm.config])),
      ),
  },
  { name: "stats", write: (outDir, run) => writeStats(outDir, run.comparisons) },
  { name: "train_log", write: (outDir, run) => writeTrainLog(outDir, trainLogRecords(run)) },
  { name: "selection", write: async (outDir, run) => (run.selections.length > 0 ? writeSelections(outDir, run.selections) : undefined) },
]
