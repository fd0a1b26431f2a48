import { readdir, stat } from "node:fs/promises"
import { join, relative } from "node:path"
import { Effect } from "effect"
import { DataFileError } from "../data-file-error.ts"

/**
 * Paths, relative to `root`, of the files under it (at any depth) whose names end in
 * `extension`, sorted by code unit so the order never depends on the file system or locale.
 */
export const filesUnder = (root: string, extension: string): Effect.Effect<Array<string>, DataFileError> =>
  Effect.tryPromise({
    try: async () => {
      if (!(await stat(root)).isDirectory()) throw new Error("not a folder")
      const entries = await readdir(root, { recursive: true, withFileTypes: true })
      return entries
        .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
        .map((entry) => relative(root, join(entry.parentPath, entry.name)))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    },
    catch: (e) => {
      const code = (e as NodeJS.ErrnoException).code
      const detail = code === "ENOENT" ? "folder not found" : code === undefined ? (e as Error).message : `cannot read folder (${String(e)})`
      return new DataFileError({ source: root, detail })
    },
  })
