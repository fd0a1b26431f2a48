// A CSV, TSV or JSONL file read into records, whichever format its extension (or the caller) names.
import { extname } from "node:path"
import { Effect } from "effect"
import { DataFileError } from "../data-file-error.ts"
import type { Malformed } from "../files/malformed-rows.ts"
import { readText } from "../files/read-text.ts"
import { delimitedRecords } from "./delimited.ts"
import { jsonlRecords } from "./jsonl.ts"
import type { SourceRecord } from "./source-record.ts"

export type RecordFormat = "csv" | "tsv" | "jsonl"

export interface RecordsFile {
  /** The header's column names; absent for JSONL, whose keys can differ from line to line. */
  readonly columns?: ReadonlyArray<string>
  readonly rows: Array<SourceRecord | Malformed>
}

const byExtension: Record<string, RecordFormat> = { ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl" }

/** Reads a CSV, TSV or JSONL file into records; the format comes from the extension unless given. */
export const readRecords = (path: string, format?: RecordFormat): Effect.Effect<RecordsFile, DataFileError> =>
  Effect.gen(function* () {
    const chosen = format ?? byExtension[extname(path).toLowerCase()]
    if (chosen === undefined) {
      return yield* Effect.fail(
        new DataFileError({ source: path, detail: "cannot tell the format from the extension; expected .csv, .tsv, .jsonl or .ndjson, or a format" }),
      )
    }
    const text = yield* readText(path)
    return chosen === "jsonl" ? { rows: jsonlRecords(text) } : yield* delimitedRecords(path, text, chosen === "csv" ? "," : "\t")
  })
