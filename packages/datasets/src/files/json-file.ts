import { Effect } from "effect"
import { DataFileError } from "../data-file-error.ts"
import { jsonErrorOffset, lineColumn } from "./json-error-offset.ts"
import { readText } from "./read-text.ts"

const parseJson = (path: string, text: string): Effect.Effect<unknown, DataFileError> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (e) => {
      const offset = jsonErrorOffset(text)
      const where = offset === undefined ? "" : ` at ${lineColumn(text, offset)}`
      return new DataFileError({ source: path, detail: `invalid JSON${where}: ${jsonErrorReason(e)}` })
    },
  })

/** V8's message without the position it sometimes appends, so a message states the position once. */
export const jsonErrorReason = (e: unknown): string => (e as Error).message.replace(/ in JSON at position .*$/, "")

/** Reads and parses a JSON file; a missing file or bad JSON is a DataFileError. */
export const readJsonFile = (path: string): Effect.Effect<unknown, DataFileError> =>
  Effect.flatMap(readText(path), (text) => parseJson(path, text))
