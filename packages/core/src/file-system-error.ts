// A full disk, a read-only mount, a folder without write permission or a file where a folder
// should be is the user's to fix, not a peftlab bug (issue 17). The one mapping from Node's
// errno codes to what they mean and what to do: the atomic writer, checkpoint saves and the
// CLI's last resort all turn such a failure into a FileSystemError naming the path (exit 2).
import { Effect } from "effect"
import { InputError, isInputError, type AnyInputError } from "./input-error.ts"

export class FileSystemError extends InputError("FileSystemError") {}

/** What each code a user can fix means, and what to do about it. */
const fileSystemCodes: Readonly<Record<string, string>> = {
  ENOSPC: "the disk is full; free space, or pass an --out on another disk",
  EDQUOT: "the disk quota is used up; free space, or pass an --out elsewhere",
  EROFS: "the file system is read-only; pass a writable --out",
  EACCES: "permission denied; pass an --out you may write to",
  EPERM: "operation not permitted; pass an --out you may write to",
  EEXIST: "a file is where a folder is needed; pass another --out",
  ENOTDIR: "part of the path is a file, not a folder; pass another --out",
  EISDIR: "a folder is where a file is needed; remove it, or pass another --out",
  ENOENT: "no such file or folder (was it removed while peftlab ran?)",
}

interface SystemErrorFields {
  readonly code?: unknown
  readonly syscall?: unknown
  readonly path?: unknown
  readonly dest?: unknown
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/**
 * `cause` as a FileSystemError naming `path` (else the path the error names), when it is a
 * FileSystemError already or a Node error whose code `fileSystemCodes` lists; else undefined.
 */
export const asFileSystemError = (cause: unknown, path?: string): FileSystemError | undefined => {
  if (cause instanceof FileSystemError) return cause
  const error = (typeof cause === "object" ? cause : null) as SystemErrorFields | null
  const code = text(error?.code)
  const meaning = code === undefined ? undefined : fileSystemCodes[code]
  if (meaning === undefined) return undefined
  const source = path ?? text(error?.dest) ?? text(error?.path) ?? "a file"
  return new FileSystemError({ source, detail: `cannot ${text(error?.syscall) ?? "write"} (${code}): ${meaning}` })
}

/** Runs `write`; a failure `asFileSystemError` knows is rethrown as a FileSystemError naming `path`. */
export const mappingFileSystemErrors = async <A>(path: string, write: () => Promise<A>): Promise<A> => {
  try {
    return await write()
  } catch (cause) {
    throw asFileSystemError(cause, path) ?? cause
  }
}

/**
 * A promise as an Effect whose rejection fails when it is the user's to fix (an input error, or a
 * file-system errno asFileSystemError knows) and is a defect otherwise (a bug keeps its stack).
 */
export const tryUserPromise = <A>(run: () => Promise<A>): Effect.Effect<A, AnyInputError> =>
  Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
    Effect.catch((cause) => {
      const known = isInputError(cause) ? cause : asFileSystemError(cause)
      return known === undefined ? Effect.die(cause) : Effect.fail(known)
    }),
  )
