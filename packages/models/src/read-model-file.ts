// Reads a file of a model folder, failing with a ModelFileError that names it.
import { readFile } from "node:fs/promises"
import { Effect } from "effect"
import { ModelFileError } from "./model-file-error.ts"

export const readModelFile = (path: string): Effect.Effect<Buffer, ModelFileError> =>
  Effect.tryPromise({
    try: () => readFile(path),
    catch: (cause) =>
      new ModelFileError({
        source: path,
        detail: (cause as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot read: ${String(cause)}`,
      }),
  })
