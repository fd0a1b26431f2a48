// `peftlab report DIR`: every table and figure rebuilt from what a run left in its results
// folder (the manifest's resolved spec, each arm's result.json with its predictions and
// training log, selection.json), without loading the model. The run itself ends with the same
// reporters, so a rebuilt folder's tables are the run's.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import type { TruncationCounts } from "@peftlab/core"
import type { ExperimentSpec } from "@peftlab/spec"
import { compareFinished } from "./tasks.ts"
import { finishedArm, OutputFolderError, type FinishedArm } from "./output-folder.ts"
import type { FinishedRun } from "./registry/entries.ts"
import { builtinRegistry } from "./registry/index.ts"
import { selectionFile, type Selection } from "./selection.ts"

interface SavedManifest {
  readonly fingerprint: string
  readonly status?: string
  readonly spec: ExperimentSpec
  readonly data: { readonly labels: ReadonlyArray<string> }
  readonly truncation?: TruncationCounts
}

const readJson = <A>(file: string): Effect.Effect<A, OutputFolderError> =>
  Effect.try({
    try: () => JSON.parse(readFileSync(file, "utf8")) as A,
    catch: (e) => new OutputFolderError({ source: file, detail: existsSync(file) ? `unreadable (${String(e)})` : "not found; is this a peftlab results folder?" }),
  })

/** What the reporters need, read back from a results folder. */
export const runFromFolder = (outDir: string): Effect.Effect<FinishedRun, OutputFolderError> =>
  Effect.gen(function* () {
    const manifest = yield* readJson<SavedManifest>(join(outDir, "manifest.json"))
    const { spec } = manifest
    const finished: Array<FinishedArm> = []
    for (const arm of spec.arms) {
      const saved = yield* finishedArm(outDir, arm.name, manifest.fingerprint)
      if (saved) finished.push(saved)
    }
    if (finished.length === 0) {
      return yield* Effect.fail(new OutputFolderError({ source: outDir, detail: "no finished arm (arms/<arm>/result.json) to report on" }))
    }
    const selections = existsSync(selectionFile(outDir)) ? yield* readJson<ReadonlyArray<Selection>>(selectionFile(outDir)) : []
    const labels = manifest.data.labels
    const comparisons = compareFinished(spec, labels, finished)
    return { spec, fingerprint: manifest.fingerprint, labels, finished, comparisons, selections, ...(manifest.truncation && { truncation: manifest.truncation }) }
  })

/** Rewrites every report file of the folder with the built-in reporters. */
export const reportFolder = (outDir: string): Effect.Effect<ReadonlyArray<string>, OutputFolderError> =>
  Effect.gen(function* () {
    const run = yield* runFromFolder(outDir)
    const reporters = builtinRegistry().entries("reporters")
    for (const reporter of reporters) yield* Effect.promise(() => reporter.write(outDir, run))
    return reporters.map((r) => r.name)
  })
