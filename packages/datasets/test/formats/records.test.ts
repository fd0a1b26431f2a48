import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { jsonlRecords, readRecords } from "../../src/index.ts"
import { writeTempFile } from "../fixtures.ts"

describe("jsonlRecords", () => {
  it("reads one object per line, skipping blank lines, with LF or CRLF endings", () => {
    expect(jsonlRecords('{"a": 1}\r\n\n  \n{"b": "x"}')).toEqual([
      { line: 1, values: { a: 1 } },
      { line: 4, values: { b: "x" } },
    ])
  })

  it("names the line and column of invalid JSON, and rejects non-objects", () => {
    const [bad, array, nul] = jsonlRecords('{"a": 1,}\n[1]\nnull')
    // The "}" after the trailing comma is the 9th character.
    expect(bad).toMatchObject({ reason: "invalid JSON", detail: expect.stringMatching(/^line 1, column 9: invalid JSON: /) })
    expect(array).toMatchObject({ reason: "not a JSON object", detail: "line 2: expected a JSON object, got an array" })
    expect(nul).toMatchObject({ reason: "not a JSON object", detail: "line 3: expected a JSON object, got null" })
  })
})

describe("readRecords", () => {
  it("picks the format from the extension, or the one given", async () => {
    const csv = await Effect.runPromise(readRecords(writeTempFile("a.csv", "x,y\n1,2\n")))
    expect(csv).toEqual({ columns: ["x", "y"], rows: [{ line: 2, values: { x: "1", y: "2" } }] })
    const tsv = await Effect.runPromise(readRecords(writeTempFile("a.TSV", "x\ty\n1,2\t3\n")))
    expect(tsv.rows).toEqual([{ line: 2, values: { x: "1,2", y: "3" } }])
    const jsonl = await Effect.runPromise(readRecords(writeTempFile("a.txt", '{"x": 1}\n'), "jsonl"))
    expect(jsonl).toEqual({ rows: [{ line: 1, values: { x: 1 } }] })
  })

  it("drops a byte-order mark so the first column keeps its name", async () => {
    const { columns } = await Effect.runPromise(readRecords(writeTempFile("bom.csv", "\uFEFFtext,label\na,b\n")))
    expect(columns).toEqual(["text", "label"])
  })

  it("names the file when the format is unknown or the file is missing", async () => {
    const path = writeTempFile("data.xlsx", "")
    expect(await Effect.runPromise(Effect.flip(readRecords(path)))).toMatchObject({
      source: path,
      detail: "cannot tell the format from the extension; expected .csv, .tsv, .jsonl or .ndjson, or a format",
    })
    expect(await Effect.runPromise(Effect.flip(readRecords("/nonexistent/a.csv")))).toMatchObject({ source: "/nonexistent/a.csv", detail: "file not found" })
  })
})
