import { emit } from "@peftlab/core"
import { Effect } from "effect"
import { EventEmitter } from "node:events"
import { stripVTControlCharacters } from "node:util"
import { describe, expect, it, vi } from "vitest"
import { inkUi, inkUiLayer, stopHint, stoppingNotice } from "../src/index.ts"
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

/** A terminal's stdin as far as Ink needs it for keys: raw mode and readable chunks. */
class FakeTtyStdin extends EventEmitter {
  readonly isTTY = true
  private pending: string | null = null
  setRawMode(): void {}
  setEncoding(): void {}
  ref(): void {}
  unref(): void {}
  resume(): void {}
  pause(): void {}
  read(): string | null {
    const chunk = this.pending
    this.pending = null
    return chunk
  }
  press(key: string): void {
    this.pending = key
    this.emit("readable")
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10))

const mount = (stdin: EventEmitter = new FakeTtyStdin()) => {
  const stdout = new FakeStdout()
  const onStop = vi.fn()
  const ui = inkUi({ onStop, render: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, patchConsole: false } })
  const play = (events: typeof fullRun) => Effect.runPromise(Effect.forEach(events, emit, { discard: true }).pipe(Effect.provide(ui.layer)))
  return { ui, stdin: stdin as FakeTtyStdin, onStop, play, output: () => stripVTControlCharacters(stdout.written) }
}

describe("inkUi", () => {
  it("exits by itself after run-end, leaving the summary", async () => {
    const { ui, play, output, onStop } = mount()
    await play(fullRun)
    await ui.waitUntilExit()
    expect(output()).toContain("finished, results in out/run1")
    expect(output()).toMatch(/prompt\s+0\.6350\s+0\.5914/)
    expect(onStop).not.toHaveBeenCalled()
  })

  it("stops on unmount when the run never ends, and ignores later events", async () => {
    const { ui, play, output } = mount()
    await play(midTraining)
    ui.unmount()
    await ui.waitUntilExit()
    expect(output()).toContain("epoch 2/2")
    expect(output()).toContain(stopHint)
    expect(output()).not.toContain("finished, results")
    await play([{ type: "log", level: "info", message: "late" }])
    expect(output()).not.toContain("late")
  })

  it("asks the run to stop once on q, then leaves the stopping notice and the terminal", async () => {
    const { ui, play, output, onStop, stdin } = mount()
    await play(midTraining)
    await settle()
    stdin.press("q")
    await ui.waitUntilExit()
    expect(onStop).toHaveBeenCalledTimes(1)
    expect(output()).toContain(stoppingNotice)
    expect(output()).toContain("epoch 2/2") // the last progress stays in view
    stdin.press("\u0003")
    await settle()
    expect(onStop).toHaveBeenCalledTimes(1)
  })

  it("asks the run to stop on Ctrl-C", async () => {
    const { ui, play, onStop, stdin } = mount()
    await play(midTraining)
    await settle()
    stdin.press("\u0003")
    await ui.waitUntilExit()
    expect(onStop).toHaveBeenCalledTimes(1)
  })

  it("offers no key without a terminal on stdin", async () => {
    const { ui, play, output } = mount(new EventEmitter()) // piped input: no raw mode
    await play(midTraining)
    ui.unmount()
    await ui.waitUntilExit()
    expect(output()).toContain("epoch 2/2")
    expect(output()).not.toContain(stopHint)
  })

  it("as a scoped layer, mounts with the run and gives the terminal back when the run fails before run-end", async () => {
    const stdout = new FakeStdout()
    const layer = inkUiLayer({ onStop: vi.fn(), render: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: new FakeTtyStdin() as unknown as NodeJS.ReadStream, patchConsole: false } })
    const failing = Effect.andThen(Effect.forEach(midTraining, emit, { discard: true }), Effect.fail("model file unreadable"))
    // Nothing is drawn before the layer is built: a non-TTY Ink writes its final frame when it unmounts.
    expect(stdout.written).toBe("")
    const exit = await Effect.runPromiseExit(Effect.provide(failing, layer))
    expect(exit._tag).toBe("Failure")
    // Unmounted when the run's scope closed, leaving the last frame.
    expect(stripVTControlCharacters(stdout.written)).toContain("epoch 2/2")
    expect(stripVTControlCharacters(stdout.written)).not.toContain("finished, results")
  })
})
