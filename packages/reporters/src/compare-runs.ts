// `peftlab compare`: several results folders side by side, one row per arm of each run: the
// classification metrics, then every further metric any run reports (ROUGE-L, micro-F1, ...),
// latency and trainable parameters, the best value of each column in bold.
import type { ArmResult } from "./results.ts"
import { toMarkdownTable, type Align } from "./markdown.ts"

export interface RunSummary {
  /** How the run is named in the table, e.g. its folder. */
  readonly run: string
  readonly experiment: string
  readonly results: ReadonlyArray<ArmResult>
}

const bold = (text: string) => `**${text}**`

/** A metric an arm reports: generation arms have no macro-F1 (null once read back from JSON). */
const finite = (value: number | null | undefined): value is number => typeof value === "number" && Number.isFinite(value)

/** Which way a further metric is better: perplexity lower; readability grades neither way. */
const betterOf = (name: string): "higher" | "lower" | "neither" => (name === "perplexity" ? "lower" : name === "fk_grade" || name === "smog" ? "neither" : "higher")

interface Column {
  readonly title: string
  readonly value: (r: ArmResult) => number | undefined
  readonly digits: number
  readonly better: "higher" | "lower" | "neither"
}

export const compareRunsMarkdown = (runs: ReadonlyArray<RunSummary>): string => {
  const rows = runs.flatMap((r) => r.results.map((result) => ({ run: r.run, experiment: r.experiment, result })))
  const further = [...new Set(rows.flatMap(({ result }) => Object.keys(result.metrics ?? {})))]
  const columns: Array<Column> = [
    { title: "macro-F1", value: (r) => r.macroF1, digits: 4, better: "higher" },
    { title: "accuracy", value: (r) => r.accuracy, digits: 4, better: "higher" },
    ...further.map((name): Column => ({ title: name, value: (r) => r.metrics?.[name], digits: 4, better: betterOf(name) })),
    { title: "latency mean (ms)", value: (r) => r.latencyMeanMs, digits: 2, better: "lower" },
  ]
  const best = columns.map(({ value, better }) => {
    const values = rows.map((row) => value(row.result)).filter(finite)
    return better === "neither" || values.length === 0 ? undefined : better === "higher" ? Math.max(...values) : Math.min(...values)
  })
  const cell = (value: number | undefined, digits: number, top: number | undefined) =>
    !finite(value) ? "—" : value === top ? bold(value.toFixed(digits)) : value.toFixed(digits)
  return toMarkdownTable(
    ["run", "experiment", "arm", "n", ...columns.map((c) => c.title), "trainable params"],
    rows.map(({ run, experiment, result }) => [
      run,
      experiment,
      result.arm,
      result.n,
      ...columns.map((c, i) => cell(c.value(result), c.digits, best[i])),
      result.trainableParams,
    ]),
    [...(["left", "left", "left"] as Array<Align>), ...Array<Align>(columns.length + 2).fill("right")],
  )
}
