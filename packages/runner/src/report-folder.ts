// `peftlab report DIR`: every table and figure rebuilt from what a run left in its results
// folder (the manifest's resolved spec, each arm's result.json with its predictions and
// training log, selection.json), without loading the model. The run itself ends with the same
// reporters, so a rebuilt folder's tables are the run's. Each arm's preds file must still hold a
// whole row per test example: a truncated one is refused by name, not reported around.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import type { AnyInputError } from "@peftlab/core"
import { compareFinished } from "./tasks/task-kinds.ts"
import { finishedArm, OutputFolderError, readFolderFile, type FinishedArm } from "./output-folder.ts"
import type { FinishedRun } from "@peftlab/plugin-api"
import { builtinRegistry } from "./registry/index.ts"
import { checkPredictionFiles } from "./saved-predictions.ts"
import { ReportManifest, savedSpec, SelectionsFile } from "./saved-run.ts"
import { selectionFile } from "./selection.ts"

/** What the reporters need, read back from a results folder. */
export const runFromFolder = (outDir: string): Effect.Effect<FinishedRun, OutputFolderError> =>
  Effect.gen(function* () {
    const manifest = yield* readFolderFile(join(outDir, "manifest.json"), ReportManifest, "")
    const spec = savedSpec(manifest)
    const finished: Array<FinishedArm> = []
    for (const arm of spec.arms) {
      const saved = yield* finishedArm(outDir, arm.name, manifest.fingerprint)
      if (saved === undefined) continue
      yield* checkPredictionFiles(outDir, arm.name, saved.result.n)
      finished.push(saved)
    }
    if (finished.length === 0) {
      return yield* Effect.fail(new OutputFolderError({ source: outDir, detail: "no finished arm (arms/<arm>/result.json) to report on" }))
    }
    const selections = existsSync(selectionFile(outDir)) ? yield* readFolderFile(selectionFile(outDir), SelectionsFile, "") : []
    const labels = manifest.data.labels
    const comparisons = compareFinished(spec, labels, finished)
    return { spec, fingerprint: manifest.fingerprint, labels, finished, comparisons, selections, ...(manifest.truncation && { truncation: manifest.truncation }) }
  })

/** Rewrites every report file of the folder with the built-in reporters. */
export const reportFolder = (outDir: string): Effect.Effect<ReadonlyArray<string>, AnyInputError> =>
  Effect.gen(function* () {
    const run = yield* runFromFolder(outDir)
    const reporters = builtinRegistry().entries("reporters")
    for (const reporter of reporters) yield* reporter.write(outDir, run)
    return reporters.map((r) => r.name)
  })
