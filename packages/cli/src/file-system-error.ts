// A full disk, a read-only mount or a folder without write permission is the user's to fix,
// not a peftlab bug: such a failure, from wherever it surfaces (a checkpoint, a report file),
// exits 2 naming the file and what to do, instead of a stack of node:internal frames (issue 17).
import { Cause } from "effect"

const advice: Readonly<Record<string, string>> = {
  ENOSPC: "the disk is full; free space, or pass an --out on another disk",
  EDQUOT: "the disk quota is used up; free space, or pass an --out elsewhere",
  EROFS: "the file system is read-only; pass a writable --out",
  EACCES: "permission denied; pass an --out you may write to",
  EPERM: "operation not permitted; pass an --out you may write to",
}

/** `path: what happened; what to do` for a file-system error anywhere in `cause`, else undefined. */
export const fileSystemProblem = (cause: Cause.Cause<unknown>): string | undefined => {
  const error = Cause.squash(cause) as { code?: unknown; path?: unknown; dest?: unknown; syscall?: unknown } | null
  const code = typeof error?.code === "string" ? error.code : undefined
  if (code === undefined || advice[code] === undefined) return undefined
  const path = typeof error?.dest === "string" ? error.dest : typeof error?.path === "string" ? error.path : "a file"
  return `${path}: cannot ${typeof error?.syscall === "string" ? error.syscall : "write"} (${code}): ${advice[code]}`
}
