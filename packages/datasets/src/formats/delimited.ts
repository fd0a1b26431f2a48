// CSV and TSV as RFC 4180 describes them: a field may be quoted with ", a quote inside a
// quoted field is doubled, and a quoted field may hold the delimiter and line breaks.
// Lines end in LF or CRLF; blank lines between rows are skipped.
import { Effect } from "effect"
import { DataFileError } from "../data-file-error.ts"
import { isMalformed, malformed, type Malformed } from "../files/malformed-rows.ts"
import type { SourceRecord } from "./source-record.ts"

export interface DelimitedRow {
  /** The line the row starts on (1-based); a quoted line break makes a row span lines. */
  readonly line: number
  readonly fields: Array<string>
}

export interface ParsedDelimited {
  readonly rows: Array<DelimitedRow | Malformed>
  /** Where a quoted field opened that never closes: nothing after it can be split into rows. */
  readonly unclosedQuote?: { readonly line: number; readonly column: number }
}

/** Splits delimited text into rows of fields; rows with a misplaced quote are Malformed and skipped to their line's end. */
export const parseDelimited = (text: string, delimiter: string): ParsedDelimited => {
  const rows: Array<DelimitedRow | Malformed> = []
  let pos = 0
  let line = 1
  let lineStart = 0
  const lineBreakAt = (i: number): number => (text[i] === "\n" ? 1 : text[i] === "\r" && text[i + 1] === "\n" ? 2 : 0)
  const fieldEndsAt = (i: number): boolean => i >= text.length || text[i] === delimiter || lineBreakAt(i) > 0
  const where = (i: number): string => `line ${line}, column ${i - lineStart + 1}`

  while (pos < text.length) {
    const blank = lineBreakAt(pos)
    if (blank > 0) {
      pos += blank
      line += 1
      lineStart = pos
      continue
    }
    const rowLine = line
    const fields: Array<string> = []
    let error: Malformed | undefined
    for (;;) {
      if (text[pos] === '"') {
        const open = { line, column: pos - lineStart + 1 }
        let value = ""
        let i = pos + 1
        for (;;) {
          const quote = text.indexOf('"', i)
          if (quote < 0) return { rows, unclosedQuote: open }
          value += text.slice(i, quote)
          if (text[quote + 1] !== '"') {
            i = quote + 1
            break
          }
          value += '"'
          i = quote + 2
        }
        for (let nl = text.indexOf("\n", pos); nl >= 0 && nl < i; nl = text.indexOf("\n", nl + 1)) {
          line += 1
          lineStart = nl + 1
        }
        fields.push(value)
        pos = i
        if (!fieldEndsAt(pos)) {
          error = malformed("text after a closing quote", `${where(pos)}: text after the closing quote; expected the delimiter or the end of the line`)
          break
        }
      } else {
        let end = pos
        while (!fieldEndsAt(end)) end++
        const value = text.slice(pos, end)
        const quote = value.indexOf('"')
        if (quote >= 0) {
          error = malformed("quote inside an unquoted field", `${where(pos + quote)}: quote inside an unquoted field; quote the whole field and double the quote`)
          break
        }
        fields.push(value)
        pos = end
      }
      if (text[pos] !== delimiter) break
      pos += 1
    }
    if (error) {
      const nl = text.indexOf("\n", pos)
      pos = nl < 0 ? text.length : nl
    }
    rows.push(error ?? { line: rowLine, fields })
    const end = lineBreakAt(pos)
    if (end > 0) {
      pos += end
      line += 1
      lineStart = pos
    }
  }
  return { rows }
}

const headerNames = (path: string, header: DelimitedRow): Effect.Effect<Array<string>, DataFileError> => {
  const seen = new Set<string>()
  for (const [i, name] of header.fields.entries()) {
    const problem = name.trim() === "" ? "is empty" : seen.has(name) ? `repeats ${JSON.stringify(name)}` : undefined
    if (problem) return Effect.fail(new DataFileError({ source: path, detail: `line ${header.line}: header column ${i + 1} ${problem}; every column needs its own name` }))
    seen.add(name)
  }
  return Effect.succeed(header.fields)
}

/**
 * The rows after the header row as records keyed by column name, and the column names.
 * A row with a different number of fields is Malformed; an unclosed quote or a bad
 * header fails, since no row after it can be read.
 */
export const delimitedRecords = (
  path: string,
  text: string,
  delimiter: string,
): Effect.Effect<{ readonly columns: Array<string>; readonly rows: Array<SourceRecord | Malformed> }, DataFileError> =>
  Effect.gen(function* () {
    const { rows, unclosedQuote } = parseDelimited(text, delimiter)
    if (unclosedQuote) {
      const detail = `line ${unclosedQuote.line}, column ${unclosedQuote.column}: quoted field never closes; the rest of the file cannot be split into rows`
      return yield* Effect.fail(new DataFileError({ source: path, detail }))
    }
    const [header, ...body] = rows
    if (header === undefined) return yield* Effect.fail(new DataFileError({ source: path, detail: "empty file; expected a header row" }))
    if (isMalformed(header)) return yield* Effect.fail(new DataFileError({ source: path, detail: `header row: ${header.detail}` }))
    const columns = yield* headerNames(path, header)
    const records = body.map((row): SourceRecord | Malformed => {
      if (isMalformed(row)) return row
      if (row.fields.length !== columns.length) {
        return malformed("wrong number of fields", `line ${row.line}: ${row.fields.length} fields, expected ${columns.length} as in the header`)
      }
      return { line: row.line, values: Object.fromEntries(columns.map((name, i) => [name, row.fields[i]])) }
    })
    return { columns, rows: records }
  })
