import { emit, type RunEvent } from "@peftlab/core"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { plainLinesLayer } from "../src/index.ts"
import { fullRun } from "./run-events.ts"

/** Emits each event after advancing the test clock by its delay, and returns the lines written. */
const linesFor = (timeline: ReadonlyArray<readonly [delayMs: number, event: RunEvent]>): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  const program = Effect.forEach(timeline, ([delayMs, event]) => Effect.andThen(TestClock.adjust(delayMs), emit(event)), { discard: true })
  return Effect.runPromise(program.pipe(Effect.provide(Layer.merge(plainLinesLayer((line) => lines.push(line)), TestClock.layer())))).then(() => lines)
}

const step = (arm: string, epoch: number, step: number, elapsedMs: number): RunEvent => ({
  type: "train-step",
  arm,
  epoch,
  epochs: 2,
  step,
  totalSteps: 80,
  loss: 0.6931,
  tokensPerSecond: 412,
  elapsedMs,
})

describe("plainLinesLayer", () => {
  it("writes one line per event of a whole run", async () => {
    // One second between events: every second progress event of an arm is throttled.
    expect(await linesFor(fullRun.map((event) => [1000, event]))).toEqual([
      "run pubmedqa-peft on cpu: 2 arms (base, prompt), output out/run1",
      "[base] evaluating",
      "[base] eval test 100/200",
      "[base] eval test 200/200",
      "[base] result: accuracy 0.5500, macro_f1 0.4100",
      "[base] done",
      "[prompt] training",
      "[prompt] epoch 1/2 step 1/80 loss 0.7102 412 tok/s eta 0:20", // 79 steps at 4 steps/s
      // step 20 came 1 s after step 1: throttled.
      "[prompt] epoch 1/2 step 40/80 loss 0.6512 412 tok/s eta 0:10", // last of the epoch
      "[prompt] epoch 1 done: train loss 0.6512, val macro_f1 0.5811 (best)",
      "warning: 3 contexts truncated to 256 tokens",
      "[prompt] epoch 2/2 step 50/80 loss 0.6401 412 tok/s eta 0:07",
      "[prompt] epoch 2/2 step 80/80 loss 0.6203 412 tok/s eta 0:00",
      "[prompt] epoch 2 done: train loss 0.6203, val macro_f1 0.5702",
      "[prompt] evaluating",
      "[prompt] eval test 50/200",
      "[prompt] result: accuracy 0.6350, macro_f1 0.5914",
      "[prompt] done",
      "run finished in 1:05, results in out/run1",
    ])
  })

  it("prints a step at most every two seconds per arm, plus the last step of each epoch", async () => {
    const lines = await linesFor([
      [0, step("a", 1, 1, 1000)],
      [500, step("b", 1, 1, 1000)], // another arm has its own throttle
      [1000, step("a", 1, 2, 2000)], // 1.5 s after a's last line: dropped
      [499, step("a", 1, 3, 3000)], // 1.999 s: dropped
      [1, step("a", 1, 4, 4000)], // 2.0 s: printed
      [100, step("a", 1, 40, 40_000)], // last step of the epoch: printed anyway
      [100, step("a", 2, 41, 41_000)], // 0.1 s after that: dropped
      [100, step("a", 2, 80, 80_000)], // last step of the last epoch
    ])
    expect(lines).toEqual([
      "[a] epoch 1/2 step 1/80 loss 0.6931 412 tok/s eta 1:19",
      "[b] epoch 1/2 step 1/80 loss 0.6931 412 tok/s eta 1:19",
      "[a] epoch 1/2 step 4/80 loss 0.6931 412 tok/s eta 1:16",
      "[a] epoch 1/2 step 40/80 loss 0.6931 412 tok/s eta 0:40",
      "[a] epoch 2/2 step 80/80 loss 0.6931 412 tok/s eta 0:00",
    ])
  })

  it("prints a download when it starts, at each quarter and when done, not at every report", async () => {
    const MiB = 2 ** 20
    const weights = (bytes: number): RunEvent => ({ type: "download", file: "model.safetensors", bytes: bytes * MiB, total: 262 * MiB, done: bytes === 262 })
    const lines = await linesFor([
      [0, { type: "download", file: "config.json", bytes: 0, total: 628, done: false }],
      [200, { type: "download", file: "config.json", bytes: 628, total: 628, done: true }],
      [0, weights(0)],
      [200, weights(40)], // 15 %: still the first quarter
      [200, weights(70)], // 26.7 %
      [200, weights(100)], // 38.2 %: dropped
      [200, weights(131)], // 50 %, where the connection broke
      [250, weights(131)], // the resumed request starts where it stopped: dropped
      [200, weights(200)], // 76.3 %
      [200, weights(262)],
      [0, { type: "download", file: "notes.csv", bytes: 0, done: false }],
      [200, { type: "download", file: "notes.csv", bytes: 5 * MiB, done: false }], // size unknown: no quarters
    ])
    expect(lines).toEqual([
      "downloading config.json 0% 0/628 B",
      "downloaded config.json (628 B)",
      "downloading model.safetensors 0% 0/262 MiB",
      "downloading model.safetensors 26% 70/262 MiB",
      "downloading model.safetensors 50% 131/262 MiB",
      "downloading model.safetensors 76% 200/262 MiB",
      "downloaded model.safetensors (262 MiB)",
      "downloading notes.csv 0 B",
    ])
  })

  it("prints a model's load from disk when it starts, at each quarter and when done", async () => {
    const MiB = 2 ** 20
    const load = (bytes: number): RunEvent => ({ type: "model-load", file: "/models/tinyllama", bytes: bytes * MiB, total: 2098 * MiB, done: bytes === 2098 })
    const lines = await linesFor([0, 300, 600, 1000, 1049, 1700, 2098].map((bytes) => [100, load(bytes)] as const))
    expect(lines).toEqual([
      "loading model /models/tinyllama 0% 0.0/2.0 GiB",
      "loading model /models/tinyllama 28% 0.6/2.0 GiB",
      "loading model /models/tinyllama 50% 1.0/2.0 GiB",
      "loading model /models/tinyllama 81% 1.7/2.0 GiB",
      "loaded model /models/tinyllama (2.0 GiB)",
    ])
  })

  it("writes a one-arm run, info logs, failures and a failed run", async () => {
    expect(
      await linesFor([
        [0, { type: "run-start", name: "solo", backend: "wasm", device: "Zen 4, 1 thread (WebAssembly SIMD, XNNPACK)", arms: ["lora"], outDir: "out/x" }],
        [0, { type: "log", level: "info", message: "loaded 1000 examples" }],
        [0, { type: "arm-phase", arm: "lora", phase: "failed", detail: "loss is NaN" }],
        [0, { type: "run-end", ok: false, outDir: "out/x", elapsedMs: 3_723_000 }],
      ]),
    ).toEqual([
      "run solo on wasm (Zen 4, 1 thread (WebAssembly SIMD, XNNPACK)): 1 arm (lora), output out/x",
      "loaded 1000 examples",
      "[lora] failed: loss is NaN",
      "run failed after 1:02:03, partial results in out/x",
    ])
  })
})
