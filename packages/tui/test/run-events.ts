// A realistic run of two arms: `base` is only evaluated, `prompt` trains two epochs of 40 steps
// (steps count over the whole training, as the trainer emits them).
import type { RunEvent } from "@peftlab/core"

const step = (epoch: number, step: number, loss: number, elapsedMs: number): RunEvent => ({
  type: "train-step",
  arm: "prompt",
  epoch,
  epochs: 2,
  step,
  totalSteps: 80,
  loss,
  tokensPerSecond: 411.6,
  elapsedMs,
})

export const runStart: Extract<RunEvent, { type: "run-start" }> = { type: "run-start", name: "pubmedqa-peft", backend: "cpu", arms: ["base", "prompt"], outDir: "out/run1" }

/** Up to the middle of prompt's second epoch. */
export const midTraining: ReadonlyArray<RunEvent> = [
  runStart,
  { type: "arm-phase", arm: "base", phase: "evaluating" },
  { type: "eval-progress", arm: "base", split: "test", done: 100, total: 200 },
  { type: "eval-progress", arm: "base", split: "test", done: 200, total: 200 },
  { type: "arm-result", arm: "base", metrics: { accuracy: 0.55, macro_f1: 0.41 } },
  { type: "arm-phase", arm: "base", phase: "done" },
  { type: "arm-phase", arm: "prompt", phase: "training" },
  step(1, 1, 0.7102, 250),
  step(1, 20, 0.6931, 5000),
  step(1, 40, 0.6512, 10_000),
  { type: "epoch-end", arm: "prompt", epoch: 1, trainLoss: 0.6512, validation: { metric: "macro_f1", value: 0.5811 }, best: true },
  { type: "log", level: "warn", message: "3 contexts truncated to 256 tokens" },
  { type: "resources", rssBytes: 512 * 2 ** 20, tensorBytes: 3.5 * 2 ** 20 },
  // 50 of 80 steps in 12 s: 30 steps left at 50/12 steps/s is 7.2 s.
  step(2, 50, 0.6401, 12_000),
]

export const fullRun: ReadonlyArray<RunEvent> = [
  ...midTraining,
  step(2, 80, 0.6203, 20_000),
  { type: "epoch-end", arm: "prompt", epoch: 2, trainLoss: 0.6203, validation: { metric: "macro_f1", value: 0.5702 }, best: false },
  { type: "arm-phase", arm: "prompt", phase: "evaluating" },
  { type: "eval-progress", arm: "prompt", split: "test", done: 50, total: 200 },
  { type: "arm-result", arm: "prompt", metrics: { accuracy: 0.635, macro_f1: 0.5914 } },
  { type: "arm-phase", arm: "prompt", phase: "done" },
  { type: "run-end", ok: true, outDir: "out/run1", elapsedMs: 65_000 },
]

const MiB = 2 ** 20

/** A model downloading after run-start: config.json arrives whole, the weights are 118 of 262 MiB in. */
export const downloading: ReadonlyArray<RunEvent> = [
  runStart,
  { type: "download", file: "config.json", bytes: 0, total: 628, done: false },
  { type: "download", file: "config.json", bytes: 628, total: 628, done: true },
  { type: "download", file: "model.safetensors", bytes: 0, total: 262 * MiB, done: false },
  { type: "download", file: "model.safetensors", bytes: 118 * MiB, total: 262 * MiB, done: false },
]
