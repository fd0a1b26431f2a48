import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { delimitedRecords, isMalformed, parseDelimited, type DelimitedRow } from "../../src/index.ts"

const fieldsOf = (text: string, delimiter = ",") =>
  parseDelimited(text, delimiter).rows.map((row) => (isMalformed(row) ? row.detail : (row as DelimitedRow).fields))

describe("parseDelimited", () => {
  it("agrees with Python's csv module on RFC 4180 quoting, CRLF, embedded newlines and blank lines", () => {
    const text = 'id,text,label\r\n1,"Hello, world",positive\r\n2,"She said ""no""",negative\r\n\r\n3,"line one\nline two",neutral\r\n4,,positive\r\n5,plain text ,""\n'
    // python3 -c 'import csv, io; print(list(csv.reader(io.StringIO(text, newline=""))))' gives these
    // rows, plus [] for the blank line, which is skipped here.
    expect(fieldsOf(text)).toEqual([
      ["id", "text", "label"],
      ["1", "Hello, world", "positive"],
      ["2", 'She said "no"', "negative"],
      ["3", "line one\nline two", "neutral"],
      ["4", "", "positive"],
      ["5", "plain text ", ""],
    ])
  })

  it("numbers rows by the line they start on", () => {
    const lines = parseDelimited('a\n"b\nc"\n\nd\n', ",").rows.map((row) => (row as DelimitedRow).line)
    expect(lines).toEqual([1, 2, 5])
  })

  it("reads TSV with the same quoting (python csv, delimiter='\\t', agrees)", () => {
    expect(fieldsOf('a\tb\n"x\ty"\t"1\n2"\nz\t\n', "\t")).toEqual([["a", "b"], ["x\ty", "1\n2"], ["z", ""]])
  })

  it("keeps a lone carriage return and a final row without a line break", () => {
    expect(fieldsOf("a\rb,c")).toEqual([["a\rb", "c"]])
  })

  it("marks a misplaced quote malformed at its line and column and goes on at the next line", () => {
    // Row 2: the quote is the 5th character; row 3: "x" closes at column 3, `y` follows at column 4.
    expect(fieldsOf('a,b\nab,c"d\n"x"y,z\n"q\nr",s\nlast,row')).toEqual([
      ["a", "b"],
      "line 2, column 5: quote inside an unquoted field; quote the whole field and double the quote",
      "line 3, column 4: text after the closing quote; expected the delimiter or the end of the line",
      ["q\nr", "s"],
      ["last", "row"],
    ])
  })

  it("counts lines inside quoted fields when placing a later error", () => {
    expect(fieldsOf('"a\nb"x')).toEqual(["line 2, column 3: text after the closing quote; expected the delimiter or the end of the line"])
  })

  it("reports a quote that never closes, with the rows before it", () => {
    const parsed = parseDelimited('a,b\n1,"open\n2,3\n', ",")
    expect(parsed.unclosedQuote).toEqual({ line: 2, column: 3 })
    expect(parsed.rows).toEqual([{ line: 1, fields: ["a", "b"] }])
  })
})

describe("delimitedRecords", () => {
  const records = (text: string) => Effect.runPromise(delimitedRecords("data.csv", text, ","))
  const failure = (text: string) => Effect.runPromise(Effect.flip(delimitedRecords("data.csv", text, ",")))

  it("keys each row by the header's names and flags rows with another field count", async () => {
    const { columns, rows } = await records("q,label\nWhy?,yes\nonly one\nx,y,z\n")
    expect(columns).toEqual(["q", "label"])
    expect(rows).toEqual([
      { line: 2, values: { q: "Why?", label: "yes" } },
      { _tag: "Malformed", reason: "wrong number of fields", detail: "line 3: 1 fields, expected 2 as in the header" },
      { _tag: "Malformed", reason: "wrong number of fields", detail: "line 4: 3 fields, expected 2 as in the header" },
    ])
  })

  it("fails on an unclosed quote, an empty file and a bad header, naming the file", async () => {
    expect(await failure('a,b\n1,"2\n')).toMatchObject({
      _tag: "DataFileError",
      source: "data.csv",
      detail: "line 2, column 3: quoted field never closes; the rest of the file cannot be split into rows",
    })
    expect((await failure("\n\n")).detail).toBe("empty file; expected a header row")
    expect((await failure("a,,b\n1,2,3\n")).detail).toBe("line 1: header column 2 is empty; every column needs its own name")
    expect((await failure("a,b,a\n")).detail).toBe('line 1: header column 3 repeats "a"; every column needs its own name')
    expect((await failure('a"b\n')).detail).toBe("header row: line 1, column 2: quote inside an unquoted field; quote the whole field and double the quote")
  })
})
