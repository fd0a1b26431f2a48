// readJsonFile: a JSON file decoded by a Schema, every problem an InputError naming the file and field.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { InputError, isInputError, readJsonFile } from "../src/index.ts"

class TestFileError extends InputError("TestFileError") {}

const Record = Schema.Struct({ fingerprint: Schema.String, rows: Schema.Array(Schema.Struct({ id: Schema.String, score: Schema.Number })) })

const fileWith = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "peftlab-json-file-")), "result.json")
  writeFileSync(file, text)
  return file
}

const errorOf = (file: string, options?: Parameters<typeof readJsonFile>[3]) => Effect.runPromise(Effect.flip(readJsonFile(file, Record, TestFileError, options)))

describe("readJsonFile", () => {
  it("decodes a file that fits the schema", async () => {
    const file = fileWith(JSON.stringify({ fingerprint: "f", rows: [{ id: "a", score: 1 }] }))
    expect(await Effect.runPromise(readJsonFile(file, Record, TestFileError))).toStrictEqual({ fingerprint: "f", rows: [{ id: "a", score: 1 }] })
  })

  it("names the file and each field at fault, with what was found", async () => {
    const file = fileWith(JSON.stringify({ rows: [{ id: "a", score: "high" }] }))
    const error = await errorOf(file)
    expect(isInputError(error)).toBe(true)
    expect(error).toMatchObject({ _tag: "TestFileError", source: file })
    expect(error.detail).toContain('field "fingerprint": Missing key')
    expect(error.detail).toContain('field "rows[0].score": Expected number, got "high"')
  })

  it("says a file is not JSON, or is missing, with the reader's words", async () => {
    const file = fileWith("{ truncated")
    expect((await errorOf(file, { advice: "; delete it to start over" })).detail).toMatch(/^not readable as JSON \(.+\); delete it to start over$/)
    const missing = join(tmpdir(), "peftlab-no-such-folder", "result.json")
    expect(await errorOf(missing, { missing: "not found; is this a results folder?" })).toMatchObject({ source: missing, detail: "not found; is this a results folder?" })
  })
})
