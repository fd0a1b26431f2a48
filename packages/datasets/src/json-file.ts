import { readFile } from "node:fs/promises"
import { Effect } from "effect"
import { DataFileError } from "./data-file-error.ts"
import { jsonErrorOffset, lineColumn } from "./json-error-offset.ts"

const readText = (path: string): Effect.Effect<string, DataFileError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) => {
      const code = (e as NodeJS.ErrnoException).code
      const detail = code === "ENOENT" ? "file not found" : `cannot read file (${String(e)})`
      return new DataFileError({ source: path, detail })
    },
  })

const parseJson = (path: string, text: string): Effect.Effect<unknown, DataFileError> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (e) => {
      const offset = jsonErrorOffset(text)
      const where = offset === undefined ? "" : ` at ${lineColumn(text, offset)}`
      // V8 sometimes appends its own position; drop it so the message states it once.
      const reason = (e as Error).message.replace(/ in JSON at position .*$/, "")
      return new DataFileError({ source: path, detail: `invalid JSON${where}: ${reason}` })
    },
  })

/** Reads and parses a JSON file; a missing file or bad JSON is a DataFileError. */
export const readJsonFile = (path: string): Effect.Effect<unknown, DataFileError> =>
  Effect.flatMap(readText(path), (text) => parseJson(path, text))
