// The CLI's last resort for a failure that reached it as a defect rather than in the error
// channel (a checkpoint save the trainer cannot fail, a report write): bad input is still the
// user's to fix, so an input error or a file-system errno core's mapping knows (full disk,
// read-only mount, a file in the way) exits 2 naming the file and what to do, instead of a
// stack of node:internal frames (issue 17).
import { Cause } from "effect"
import { asFileSystemError, isInputError } from "@peftlab/core"

/** `path: what happened; what to do` for an input or file-system error that died in `cause`, else undefined. */
export const fileSystemProblem = (cause: Cause.Cause<unknown>): string | undefined => {
  const error = Cause.squash(cause)
  if (isInputError(error)) return error.message
  return asFileSystemError(error)?.message
}
