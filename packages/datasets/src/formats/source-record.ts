// What each format's parser (delimited.ts, jsonl.ts) yields per row, in a file of its own so that
// the parsers and records.ts, which picks one of them, import it without importing each other.

/** One row of a CSV, TSV or JSONL file: its values by column or key, and the line it starts on. */
export interface SourceRecord {
  readonly line: number
  readonly values: Readonly<Record<string, unknown>>
}
