// The results folder's lock: taken and released around a scope, refused while a live process
// holds it (naming its pid), taken over with a warning when its pid is dead or now belongs to a
// process started at another time (a reused pid), and a file given as the folder refused by name
// (issue 17).
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Events, type RunEvent } from "@peftlab/core"
import { lockFile, lockOutputFolder, processStartTicks } from "../src/folder-lock.ts"

const folder = () => mkdtempSync(join(tmpdir(), "peftlab-lock-"))

const locked = <A, E>(outDir: string, inside: Effect.Effect<A, E>) => {
  const events: Array<RunEvent> = []
  const collect = Layer.succeed(Events, { emit: (event) => Effect.sync(() => void events.push(event)) })
  const program = Effect.scoped(Effect.andThen(lockOutputFolder(outDir), inside)).pipe(Effect.provide(collect))
  return { events, exit: Effect.runPromiseExit(program) }
}

/** The pid of a process that has ended. */
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!

describe("lockOutputFolder", () => {
  it("holds the lock for its scope and removes it after, on failure too", async () => {
    const out = join(folder(), "results")
    let seen = ""
    const { exit } = locked(out, Effect.sync(() => (seen = readFileSync(lockFile(out), "utf8"))).pipe(Effect.andThen(Effect.fail("boom"))))
    expect((await exit)._tag).toBe("Failure")
    expect(seen).toContain(`pid ${process.pid}`)
    // The folder it made, left empty, goes with the lock.
    expect(existsSync(out)).toBe(false)
  })

  it("refuses a folder a live process holds, naming its pid, and leaves its lock alone", async () => {
    const out = folder()
    writeFileSync(lockFile(out), `pid ${process.ppid}\n`)
    const exit = await locked(out, Effect.void).exit
    expect(exit._tag).toBe("Failure")
    expect(String(exit._tag === "Failure" && exit.cause)).toContain(`pid ${process.ppid}`)
    expect(readFileSync(lockFile(out), "utf8")).toBe(`pid ${process.ppid}\n`)
  })

  it("takes over a stale lock with a warning", async () => {
    const out = folder()
    const dead = deadPid()
    writeFileSync(lockFile(out), `pid ${dead}\n`)
    const { events, exit } = locked(out, Effect.sync(() => readFileSync(lockFile(out), "utf8")))
    const result = await exit
    expect(result._tag === "Success" && result.value).toContain(`pid ${process.pid}`)
    expect(events).toContainEqual(expect.objectContaining({ type: "log", level: "warn", message: expect.stringContaining(`pid ${dead}, which is no longer running`) }))
    expect(existsSync(lockFile(out))).toBe(false)
  })

  // Linux tells a process's start time; elsewhere a lock holds none and only a dead pid is stale.
  const procStat = processStartTicks(process.pid) !== undefined

  it.runIf(procStat)("records its process's start time, and refuses a live holder whose start time matches", async () => {
    const own = join(folder(), "results")
    const { exit } = locked(own, Effect.sync(() => readFileSync(lockFile(own), "utf8")))
    const result = await exit
    expect(result._tag === "Success" && result.value).toContain(`process-start ${processStartTicks(process.pid)}\n`)
    const out = folder()
    writeFileSync(lockFile(out), `pid ${process.ppid}\nprocess-start ${processStartTicks(process.ppid)}\n`)
    expect(String(await locked(out, Effect.void).exit)).toContain(`another peftlab run (pid ${process.ppid}) is writing to this folder`)
  })

  it.runIf(procStat)("takes over a lock whose pid now belongs to a process started at another time", async () => {
    const out = folder()
    const reused = `pid ${process.ppid}\nprocess-start ${Number(processStartTicks(process.ppid)) + 1}\n`
    writeFileSync(lockFile(out), reused)
    const { events, exit } = locked(out, Effect.sync(() => readFileSync(lockFile(out), "utf8")))
    const result = await exit
    expect(result._tag === "Success" && result.value).toContain(`pid ${process.pid}`)
    expect(events).toContainEqual(
      expect.objectContaining({ type: "log", level: "warn", message: expect.stringContaining(`the lock of pid ${process.ppid}, which now belongs to another process (started after the lock was taken), is taken over`) }),
    )
  })

  it("refuses a file given as the results folder", async () => {
    const file = join(folder(), "taken")
    writeFileSync(file, "")
    const exit = await locked(file, Effect.void).exit
    expect(String(exit._tag === "Failure" && exit.cause)).toContain("expected a folder for the results, but a file is there")
  })
})
