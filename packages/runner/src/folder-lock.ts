// One run per results folder: two runs writing the same checkpoints and arms would corrupt each
// other (issue 17), so a run holds `<out>/.peftlab.lock`, created exclusively and holding its
// pid, until it ends — finished, failed or interrupted (SIGINT interrupts the run's fiber, and
// the lock is a scoped resource). A lock whose pid is no longer alive (a `kill -9`, a crash)
// is stale: the next run takes it over and says so. Pids are reused, so the lock also holds its
// process's start time where Linux tells it (/proc/<pid>/stat): a lock whose pid now belongs to
// a process started at another time is stale too. A folder the lock created and the run left
// empty (it stopped before writing anything) is removed with the lock.
import { readFileSync } from "node:fs"
import { link, mkdir, readFile, rm, rmdir, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { Effect, type Scope } from "effect"
import { asFileSystemError, emit, type Events } from "@peftlab/core"
import { OutputFolderError } from "./output-folder.ts"

export const lockFile = (outDir: string) => join(outDir, ".peftlab.lock")

const codeOf = (cause: unknown): string => String((cause as { code?: unknown } | null)?.code ?? "")

/** Whether process `pid` exists; EPERM means it does, under another user. */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (cause) {
    return codeOf(cause) === "EPERM"
  }
}

const folderError = (source: string, cause: unknown) =>
  new OutputFolderError({
    source,
    detail:
      codeOf(cause) === "EEXIST" || codeOf(cause) === "ENOTDIR"
        ? "expected a folder for the results, but a file is there; pass another --out"
        : (asFileSystemError(cause)?.detail ?? `cannot write the results folder (${cause instanceof Error ? cause.message : String(cause)}); pass a writable --out`),
  })

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined where that cannot be read (no such process, not Linux).
 */
export const processStartTicks = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // Field 2, the command name, is in parentheses and may hold spaces: count from its end.
    const field = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3]
    return field !== undefined && /^\d+$/.test(field) ? field : undefined
  } catch {
    return undefined
  }
}

/** A lock's process: its pid and, where it was readable, its start time. */
interface Holder {
  readonly pid: number
  readonly startTicks?: string
}

/** The process a lock file names; undefined when it is unreadable or names none (a half-written lock). */
const holderOf = async (file: string): Promise<Holder | undefined> => {
  const text = await readFile(file, "utf8").catch(() => "")
  const pid = Number(/^pid (\d+)$/m.exec(text)?.[1])
  const startTicks = /^process-start (\d+)$/m.exec(text)?.[1]
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, ...(startTicks !== undefined && { startTicks }) } : undefined
}

/** Why the lock's holder no longer holds it, or undefined while it is still running. */
const staleness = (holder: Holder | undefined): string | undefined => {
  if (holder === undefined) return "an unreadable lock"
  if (!isAlive(holder.pid)) return `the lock of pid ${holder.pid}, which is no longer running,`
  const now = holder.startTicks === undefined ? undefined : processStartTicks(holder.pid)
  return now !== undefined && now !== holder.startTicks ? `the lock of pid ${holder.pid}, which now belongs to another process (started after the lock was taken),` : undefined
}

/** The lock file, and whether taking it made the results folder. */
export interface Held {
  readonly file: string
  readonly made: boolean
}

type Attempt = { readonly taken: true } | { readonly taken: false; readonly holder: Holder | undefined }

// The lock is written whole beside its place, then linked into it: link fails when the lock
// exists, and another run never reads a lock that is created but not yet written. On a file
// system without hard links it is created exclusively (wx) instead.
const tryLock = async (file: string): Promise<Attempt> => {
  const written = `${file}.${process.pid}`
  const startTicks = processStartTicks(process.pid)
  const content = `pid ${process.pid}\nstarted ${new Date().toISOString()}\n${startTicks === undefined ? "" : `process-start ${startTicks}\n`}`
  await writeFile(written, content)
  try {
    await link(written, file).catch((cause: unknown) =>
      ["EPERM", "ENOTSUP", "ENOSYS", "EOPNOTSUPP"].includes(codeOf(cause)) ? writeFile(file, content, { flag: "wx" }) : Promise.reject(cause),
    )
    return { taken: true }
  } catch (cause) {
    if (codeOf(cause) !== "EEXIST") throw cause
    return { taken: false, holder: await holderOf(file) }
  } finally {
    await rm(written, { force: true })
  }
}

const acquire = (outDir: string) =>
  Effect.gen(function* () {
    const file = lockFile(outDir)
    // mkdir returns the first folder it made: undefined when outDir was there already.
    const made = yield* Effect.tryPromise({ try: () => mkdir(outDir, { recursive: true }), catch: (cause) => folderError(outDir, cause) })
    const held: Held = { file, made: made !== undefined }
    const first = yield* Effect.tryPromise({ try: () => tryLock(file), catch: (cause) => folderError(file, cause) })
    if (first.taken) return held
    const stale = staleness(first.holder)
    if (stale === undefined) {
      return yield* Effect.fail(
        new OutputFolderError({
          source: outDir,
          detail: `another peftlab run (pid ${first.holder?.pid}) is writing to this folder; wait for it to end, or pass another --out`,
        }),
      )
    }
    yield* emit({ type: "log", level: "warn", message: `${file}: ${stale} is taken over` })
    const second = yield* Effect.tryPromise({
      try: () => rm(file, { force: true }).then(() => tryLock(file)),
      catch: (cause) => folderError(file, cause),
    })
    if (second.taken) return held
    return yield* Effect.fail(
      new OutputFolderError({ source: outDir, detail: `another peftlab run (pid ${second.holder?.pid ?? "unknown"}) took this folder at the same moment; pass another --out` }),
    )
  })

/** Removes the lock only while it is still this process's own, then the folder if it made it and it is empty. */
const release = ({ file, made }: Held) =>
  Effect.promise(async () => {
    if ((await holderOf(file))?.pid !== process.pid) return
    await rm(file, { force: true })
    if (made) await rmdir(dirname(file)).catch(() => undefined)
  })

/** Holds the lock on `outDir` for the enclosing scope; refuses a folder another live run holds. */
export const lockOutputFolder = (outDir: string): Effect.Effect<Held, OutputFolderError, Events | Scope.Scope> =>
  Effect.acquireRelease(acquire(outDir), release)
