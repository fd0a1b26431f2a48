// How a command's outcome becomes the process exit code: bad input (spec, data, model
// files, flags) is the user's to fix and exits 2 with the error's own message; anything
// else is a peftlab bug or a machine problem and exits 1 with its cause.
import { Cause, Effect, Exit } from "effect"
import { isInputError } from "@peftlab/core"
import { fileSystemProblem } from "./file-system-error.ts"

export const ExitCode = { ok: 0, failure: 1, badInput: 2, interrupted: 130 } as const

export interface Io {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

export const processIo: Io = {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
}

export const exitCodeOf = <A, E>(exit: Exit.Exit<A, E>, io: Io): number => {
  if (Exit.isSuccess(exit)) return ExitCode.ok
  if (Cause.hasInterruptsOnly(exit.cause)) {
    io.err("interrupted: finished arms are kept; run the same command again to resume")
    return ExitCode.interrupted
  }
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "Some" && isInputError(failure.value)) {
    io.err(`error: ${failure.value.message}`)
    return ExitCode.badInput
  }
  const fileSystem = fileSystemProblem(exit.cause)
  if (fileSystem !== undefined) {
    io.err(`error: ${fileSystem}`)
    return ExitCode.badInput
  }
  io.err(`peftlab failed:\n${Cause.pretty(exit.cause)}`)
  return ExitCode.failure
}

export const runCommand = async <A, E>(program: Effect.Effect<A, E>, io: Io): Promise<number> =>
  exitCodeOf(await Effect.runPromiseExit(program), io)
