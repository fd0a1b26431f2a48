// Every data file is read here: as UTF-8 without its byte-order mark. Bytes that are not UTF-8
// (a Latin-1 export, a binary file) are refused, naming the line, rather than read as U+FFFD
// replacement characters that would silently change the examples (issue 17).
import { readFile } from "node:fs"
import { promisify } from "node:util"
import { Effect } from "effect"
import { nonUtf8Line } from "@peftlab/core"
import { DataFileError } from "../data-file-error.ts"

// The callback readFile: fs/promises' FileHandle round trips cost about twice the CPU
// time over MedQuAD's 11,274 small files.
const readBytes = promisify(readFile)

/** Reads a UTF-8 file without its byte-order mark; a missing, unreadable or non-UTF-8 file is a DataFileError. */
export const readText = (path: string): Effect.Effect<string, DataFileError> =>
  Effect.tryPromise({
    try: () => readBytes(path),
    catch: (e) => {
      const code = (e as NodeJS.ErrnoException).code
      const detail = code === "ENOENT" ? "file not found" : `cannot read file (${String(e)})`
      return new DataFileError({ source: path, detail })
    },
  }).pipe(
    Effect.flatMap((bytes) => {
      const line = nonUtf8Line(bytes)
      return line === undefined
        ? Effect.succeed(bytes.toString("utf8").replace(/^\uFEFF/, ""))
        : Effect.fail(new DataFileError({ source: path, detail: `line ${line}: expected UTF-8 text, found bytes that are not UTF-8; convert the file to UTF-8` }))
    }),
  )
