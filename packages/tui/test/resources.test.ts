import * as tf from "@tensorflow/tfjs"
import { Backend, emit, Events, type RunEvent } from "@peftlab/core"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { beforeAll, describe, expect, it } from "vitest"
import { withResourceSamples } from "../src/index.ts"

type Resources = Extract<RunEvent, { type: "resources" }>

beforeAll(async () => {
  await tf.setBackend("cpu")
})

/** A backend whose memory is tfjs's own on cpu, plus a GPU's buffers when `deviceBytes` is given. */
const backend = (deviceBytes?: number) =>
  Layer.succeed(Backend, {
    name: "cpu",
    device: { kind: "cpu", description: "test CPU, 1 thread (JavaScript)", threads: 1 },
    memory: Effect.sync(() => ({ tensors: tf.memory().numTensors, tensorBytes: tf.memory().numBytes, rssBytes: process.memoryUsage.rss(), ...(deviceBytes !== undefined && { deviceBytes }) })),
  })

describe("withResourceSamples", () => {
  it("emits a memory sample every interval while the effect runs, and none after", async () => {
    const events: Array<RunEvent> = []
    const sink = Layer.succeed(Events, { emit: (event) => Effect.sync(() => void events.push(event)) })
    const held = tf.zeros([1000]) // 4000 bytes of float32, held across the samples
    const program = Effect.gen(function* () {
      // The wrapped work: runs 5 s of test time, then ends.
      const work = yield* Effect.forkChild(Effect.sleep("5 seconds").pipe(withResourceSamples("2 seconds")))
      yield* TestClock.adjust("1 second")
      const beforeFirst = events.length
      yield* TestClock.adjust("1 second")
      const afterFirst = events.length
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(work)
      return { beforeFirst, afterFirst }
    })
    const counts = await Effect.runPromise(program.pipe(Effect.provide(Layer.mergeAll(sink, backend(), TestClock.layer()))))
    const expectedTensorBytes = tf.memory().numBytes
    held.dispose()
    expect(counts).toEqual({ beforeFirst: 0, afterFirst: 1 })
    // Samples at 2 s and 4 s; the work ends at 5 s and the sampling with it.
    expect(events).toHaveLength(2)
    for (const event of events as Array<Resources>) {
      expect(event.type).toBe("resources")
      expect(event.tensorBytes).toBe(expectedTensorBytes)
      expect(event.tensorBytes).toBeGreaterThanOrEqual(4000)
      // The process holds at least the V8 heap in resident memory.
      expect(event.rssBytes).toBeGreaterThan(process.memoryUsage().heapUsed / 2)
      expect(event).not.toHaveProperty("deviceBytes")
    }
  })
  it("also samples after each arm's result, when a busy event loop keeps the timer from firing", async () => {
    const events: Array<RunEvent> = []
    const sink = Layer.succeed(Events, { emit: (event) => Effect.sync(() => void events.push(event)) })
    // Work that never yields to the clock: the timer's first sample is never due.
    const work = Effect.gen(function* () {
      yield* emit({ type: "arm-result", arm: "a", metrics: { accuracy: 1 } })
      yield* emit({ type: "arm-phase", arm: "b", phase: "training" })
      yield* emit({ type: "arm-result", arm: "b", metrics: { accuracy: 0.5 } })
    })
    await Effect.runPromise(work.pipe(withResourceSamples("1 hour"), Effect.provide(Layer.mergeAll(sink, backend(123456)))))
    expect(events.map((e) => e.type)).toEqual(["arm-result", "resources", "arm-phase", "arm-result", "resources"])
    // A GPU backend's buffers travel with the sample.
    expect(events.filter((e): e is Resources => e.type === "resources").map((e) => e.deviceBytes)).toEqual([123456, 123456])
  })
})
