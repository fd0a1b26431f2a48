import { emit } from "@peftlab/core"
import { Effect } from "effect"
import { EventEmitter } from "node:events"
import { stripVTControlCharacters } from "node:util"
import { describe, expect, it } from "vitest"
import { inkUi } from "../src/index.ts"
import { fullRun, midTraining } from "./run-events.ts"

/** A non-TTY stream: Ink then writes the final frame only, when the app unmounts. */
class FakeStdout extends EventEmitter {
  readonly columns = 100
  written = ""
  write(chunk: string, done?: () => void): boolean {
    this.written += chunk
    done?.()
    return true
  }
}

const mount = () => {
  const stdout = new FakeStdout()
  const ui = inkUi({ stdout: stdout as unknown as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false })
  return { ui, output: () => stripVTControlCharacters(stdout.written) }
}

describe("inkUi", () => {
  it("exits by itself after run-end, leaving the summary", async () => {
    const { ui, output } = mount()
    await Effect.runPromise(Effect.forEach(fullRun, emit, { discard: true }).pipe(Effect.provide(ui.layer)))
    await ui.waitUntilExit()
    expect(output()).toContain("finished, results in out/run1")
    expect(output()).toMatch(/prompt\s+0\.6350\s+0\.5914/)
  })

  it("stops on unmount when the run never ends, and ignores later events", async () => {
    const { ui, output } = mount()
    await Effect.runPromise(Effect.forEach(midTraining, emit, { discard: true }).pipe(Effect.provide(ui.layer)))
    ui.unmount()
    await ui.waitUntilExit()
    expect(output()).toContain("epoch 2/2 step 50/80")
    expect(output()).not.toContain("finished")
    await Effect.runPromise(emit({ type: "log", level: "info", message: "late" }).pipe(Effect.provide(ui.layer)))
    expect(output()).not.toContain("late")
  })
})
