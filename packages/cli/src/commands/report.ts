// `peftlab report DIR` rebuilds every table, figure and report.md of a results folder from what
// the run saved, without the model; `peftlab compare DIR...` prints runs side by side.
import { Effect } from "effect"
import { compareRunsMarkdown } from "@peftlab/reporters"
import { reportFolder, runFromFolder } from "@peftlab/runner"
import { runCommand, type Io } from "../exit.ts"

export const reportCommand = (dir: string, io: Io): Promise<number> =>
  runCommand(
    reportFolder(dir).pipe(Effect.tap((reporters) => Effect.sync(() => io.out(`${dir}: rewrote ${reporters.join(", ")}`)))),
    io,
  )

export const compareCommand = (dirs: ReadonlyArray<string>, io: Io): Promise<number> =>
  runCommand(
    Effect.forEach(dirs, (dir) => Effect.map(runFromFolder(dir), (run) => ({ run: dir, experiment: run.spec.name, results: run.finished.map((f) => f.result) }))).pipe(
      Effect.tap((runs) => Effect.sync(() => io.out(compareRunsMarkdown(runs)))),
    ),
    io,
  )
