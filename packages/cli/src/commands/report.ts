// `peftlab report DIR` rebuilds every table, figure, report (md and html) and tracker file of a
// results folder from what the run saved, without the model; `peftlab compare DIR...` prints
// runs side by side and, with --html FILE, writes them as one self-contained page.
import { Effect } from "effect"
import { writeFileAtomic } from "@peftlab/core"
import { compareRunsHtml, compareRunsMarkdown } from "@peftlab/reporters"
import { htmlInputOf, reportFolder, runFromFolder } from "@peftlab/runner"
import { runCommand, type Io } from "../exit.ts"

export const reportCommand = (dir: string, io: Io): Promise<number> =>
  runCommand(
    reportFolder(dir).pipe(Effect.tap((reporters) => Effect.sync(() => io.out(`${dir}: rewrote ${reporters.join(", ")}`)))),
    io,
  )

export const compareCommand = (dirs: ReadonlyArray<string>, io: Io, htmlFile?: string): Promise<number> =>
  runCommand(
    Effect.gen(function* () {
      const runs = yield* Effect.forEach(dirs, (dir) => Effect.map(runFromFolder(dir), (run) => ({ dir, run })))
      const table = compareRunsMarkdown(runs.map(({ dir, run }) => ({ run: dir, experiment: run.spec.name, results: run.finished.map((f) => f.result) })))
      io.out(table)
      if (htmlFile === undefined) return
      const page = compareRunsHtml(runs.map(({ dir, run }) => ({ label: dir, report: htmlInputOf(dir, run) })), table)
      yield* Effect.promise(() => writeFileAtomic(htmlFile, page))
      io.out(`wrote ${htmlFile}`)
    }),
    io,
  )
