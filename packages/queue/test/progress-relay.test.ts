// The worker's throttle on an arm's events (progress-relay.ts) and the payload that carries them
// through Redis (progress-payload.ts), without Redis: a fast arm's steps reach Redis a few times a
// second, never its last step of an epoch, of the training or of an evaluation lost, and what the
// submitter decodes is what the worker sent (a diverged loss included, which JSON turns into null).
import { Result } from "effect"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import type { RunEvent } from "@peftlab/core"
import { eventsOfProgress, progressPayload } from "../src/progress-payload.ts"
import { progressRelay } from "../src/progress-relay.ts"

const step = (n: number, arm = "lora"): Extract<RunEvent, { type: "train-step" }> => ({ type: "train-step", arm, epoch: n <= 10 ? 1 : 2, epochs: 2, step: n, totalSteps: 20, loss: 1 / n, tokensPerSecond: 100, elapsedMs: n * 10 })
const epochEnd = (epoch: number): RunEvent => ({ type: "epoch-end", arm: "lora", epoch, trainLoss: 0.5, validation: { metric: "accuracy", value: 0.75, loss: 0.4 }, best: true })
const evalProgress = (split: string, done: number): RunEvent => ({ type: "eval-progress", arm: "lora", split, done, total: 6 })

/** A relay writing into `batches`, at most one batch per 250 ms. */
const recorded = () => {
  const batches: Array<ReadonlyArray<RunEvent>> = []
  const relay = progressRelay(async (events) => void batches.push(events), 250)
  return { batches, relay, sent: () => batches.flat() }
}

const stepsOf = (events: ReadonlyArray<RunEvent>) => events.flatMap((event) => (event.type === "train-step" ? [event.step] : []))

describe("progressRelay", () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())

  it("keeps, of a burst of steps, the last before each epoch end and the last of the training, every other event in order", async () => {
    const { relay, sent, batches } = recorded()
    for (let n = 1; n <= 10; n++) relay.push(step(n))
    relay.push(epochEnd(1))
    for (let n = 11; n <= 20; n++) relay.push(step(n))
    relay.push(epochEnd(2))
    relay.push({ type: "arm-result", arm: "lora", metrics: { accuracy: 0.75 } })
    relay.push({ type: "arm-phase", arm: "lora", phase: "done" })
    await relay.flush()
    expect(batches).toHaveLength(1)
    expect(sent()).toEqual([step(10), epochEnd(1), step(20), epochEnd(2), { type: "arm-result", arm: "lora", metrics: { accuracy: 0.75 } }, { type: "arm-phase", arm: "lora", phase: "done" }])
  })

  it("writes a step every 50 ms at most once per 250 ms, the steps increasing, the last one always", async () => {
    const { relay, sent, batches } = recorded()
    for (let n = 1; n <= 20; n++) {
      relay.push(step(n))
      await vi.advanceTimersByTimeAsync(50)
    }
    await relay.flush()
    // 1 s of steps: the first at once, then one per 250 ms.
    expect(batches.length).toBeGreaterThanOrEqual(4)
    expect(batches.length).toBeLessThanOrEqual(5)
    const steps = stepsOf(sent())
    expect(steps.at(-1)).toBe(20)
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(new Set(steps).size).toBe(steps.length)
  })

  it("keeps each split's evaluation end, and an event between two steps keeps the first", async () => {
    const { relay, sent } = recorded()
    for (let done = 1; done <= 6; done++) relay.push(evalProgress("val", done))
    for (let done = 1; done <= 6; done++) relay.push(evalProgress("test", done))
    relay.push(step(3))
    relay.push({ type: "log", level: "info", message: "lora: checkpoint" })
    relay.push(step(4))
    await relay.flush()
    expect(sent()).toEqual([evalProgress("val", 6), evalProgress("test", 6), step(3), { type: "log", level: "info", message: "lora: checkpoint" }, step(4)])
  })
})

describe("a job's progress payload", () => {
  it("comes back from JSON as the events sent, a diverged (NaN) loss as NaN", () => {
    const events: Array<RunEvent> = [{ ...step(2), loss: Number.NaN }, epochEnd(1), { type: "arm-phase", arm: "lora", phase: "training", detail: "resumed at step 1" }]
    const decoded = eventsOfProgress(JSON.parse(JSON.stringify(progressPayload(events))))
    expect(decoded).toEqual(Result.succeed(events))
  })

  it("is refused, naming the field, when it is no batch of relayed events", () => {
    const decoded = eventsOfProgress({ events: [{ type: "train-step", arm: "lora", step: "three" }] })
    expect(Result.isFailure(decoded) && decoded.failure).toMatch(/events/)
    expect(Result.isFailure(eventsOfProgress(42))).toBe(true)
    expect(Result.isFailure(eventsOfProgress({ events: [{ type: "run-start", name: "x" }] }))).toBe(true)
  })
})
