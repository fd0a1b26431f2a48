import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { emit, Events, progressCallback, type RunEvent } from "../src/index.ts"
import { InputError, isInputError } from "../src/index.ts"

describe("Events", () => {
  it("delivers emitted events to the provided sink in order", async () => {
    const seen: Array<RunEvent> = []
    const sink = Layer.succeed(Events, { emit: (e) => Effect.sync(() => void seen.push(e)) })
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* emit({ type: "log", level: "info", message: "a" })
        yield* emit({ type: "arm-phase", arm: "base", phase: "training" })
      }).pipe(Effect.provide(sink)),
    )
    expect(seen.map((e) => e.type)).toEqual(["log", "arm-phase"])
  })
})

describe("progressCallback", () => {
  const toLog = (n: number): RunEvent => ({ type: "log", level: "info", message: `${n} bytes` })

  it("emits through the caller's Events when called from outside any fiber, in order", async () => {
    const seen: Array<RunEvent> = []
    const sink = Layer.succeed(Events, { emit: (e) => Effect.sync(() => void seen.push(e)) })
    const report = await Effect.runPromise(Effect.provide(progressCallback(toLog), sink))
    // Called later from plain code, as a download's promise callbacks call it.
    await Promise.resolve().then(() => [1, 2, 3].forEach(report))
    expect(seen.map((e) => (e.type === "log" ? e.message : e.type))).toEqual(["1 bytes", "2 bytes", "3 bytes"])
  })

  it("does nothing without Events", async () => {
    const report = await Effect.runPromise(progressCallback(toLog))
    expect(() => report(1)).not.toThrow()
  })
})

describe("InputError", () => {
  class DataFileError extends InputError("DataFileError") {}
  it("carries its tag, source and detail, and is recognised as input error", () => {
    const e = new DataFileError({ source: "data.json", detail: "line 3: expected an object" })
    expect(e._tag).toBe("DataFileError")
    expect(e.message).toBe("data.json: line 3: expected an object")
    expect(isInputError(e)).toBe(true)
    expect(isInputError(new Error("x"))).toBe(false)
  })
})
