// The per-example file a finished arm leaves beside its result.json: preds_<arm>_test.csv
// (classification, generative QA) or preds_<arm>_test.jsonl (span extraction). `peftlab report`
// copies it into MLflow and report.html reads each sentence's text from the JSONL, so a file cut
// short (a full disk, an interrupted copy) is refused by name, with its line or its row count
// against the n in result.json, rather than a report rebuilt around it (issue 17).
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { isMalformed, parseDelimited } from "@peftlab/datasets"
import { OutputFolderError } from "./output-folder.ts"

const advice = (arm: string) => `; it was cut short or edited: restore it, or delete arms/${arm}/result.json and run again to redo the arm`

/** What is wrong with a preds CSV that should hold a header and `n` rows, or undefined. */
const csvProblem = (text: string, n: number): string | undefined => {
  const { rows, unclosedQuote } = parseDelimited(text, ",")
  if (unclosedQuote) return `line ${unclosedQuote.line}: the quoted field at column ${unclosedQuote.column} never closes`
  if (!text.endsWith("\n")) return `line ${text.split("\n").length}: the last row ends without a line break`
  const [header, ...body] = rows
  if (header === undefined || isMalformed(header)) return "line 1: expected the header row"
  for (const row of body) {
    if (isMalformed(row)) return row.detail
    if (row.fields.length !== header.fields.length) return `line ${row.line}: ${row.fields.length} fields, where the header has ${header.fields.length}`
  }
  return body.length === n ? undefined : `${body.length} rows, but result.json counts ${n} test examples`
}

/** What is wrong with a preds JSONL that should hold `n` lines of JSON, or undefined. */
const jsonlProblem = (text: string, n: number): string | undefined => {
  const lines = text.split("\n")
  const last = lines.pop()
  if (last !== "") return `line ${lines.length + 1}: the last line ends without a line break`
  for (const [i, line] of lines.entries()) {
    try {
      JSON.parse(line)
    } catch {
      return `line ${i + 1}: not a JSON object`
    }
  }
  return lines.length === n ? undefined : `${lines.length} lines, but result.json counts ${n} test examples`
}

const checks = [
  { suffix: ".csv", problem: csvProblem },
  { suffix: ".jsonl", problem: jsonlProblem },
] as const

/** Refuses an arm's preds file that does not hold one whole row per test example (`n` of them). */
export const checkPredictionFiles = (outDir: string, arm: string, n: number): Effect.Effect<void, OutputFolderError> =>
  Effect.gen(function* () {
    for (const { suffix, problem } of checks) {
      const file = join(outDir, `preds_${arm}_test${suffix}`)
      if (!existsSync(file)) continue
      const text = yield* Effect.try({
        try: () => readFileSync(file, "utf8"),
        catch: (cause) => new OutputFolderError({ source: file, detail: `cannot read (${String(cause)})` }),
      })
      const found = problem(text, n)
      if (found !== undefined) return yield* Effect.fail(new OutputFolderError({ source: file, detail: found + advice(arm) }))
    }
  })
