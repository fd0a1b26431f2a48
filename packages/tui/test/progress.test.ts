import { describe, expect, it } from "vitest"
import { trainingProgress, type TrainStep } from "../src/index.ts"

// Three epochs of 40 steps; steps count over the whole training.
const at = (epoch: number, step: number, elapsedMs: number): TrainStep => ({
  type: "train-step",
  arm: "prompt",
  epoch,
  epochs: 3,
  step,
  totalSteps: 120,
  loss: 0.7,
  tokensPerSecond: 400,
  elapsedMs,
})

describe("trainingProgress", () => {
  it("projects the remaining steps at the observed rate", () => {
    // 60 of 120 steps in 30 s: 60 more take 30 s.
    expect(trainingProgress(at(2, 60, 30_000))).toEqual({ fraction: 0.5, etaMs: 30_000, stepInEpoch: 20, stepsPerEpoch: 40, lastOfEpoch: false })
    // 1 step in 0.5 s: 119 more take 59.5 s.
    expect(trainingProgress(at(1, 1, 500)).etaMs).toBeCloseTo(59_500, 6)
  })

  it("has no ETA before time has passed, and zero at the end", () => {
    expect(trainingProgress(at(1, 1, 0)).etaMs).toBeUndefined()
    expect(trainingProgress(at(3, 120, 60_000))).toEqual({ fraction: 1, etaMs: 0, stepInEpoch: 40, stepsPerEpoch: 40, lastOfEpoch: true })
  })

  it("counts steps within the epoch", () => {
    expect([1, 40, 41, 80, 81].map((step) => trainingProgress(at(Math.ceil(step / 40), step, 1000)).stepInEpoch)).toEqual([1, 40, 1, 40, 1])
  })

  it("knows the last step of each epoch", () => {
    const last = [39, 40, 41, 80, 81, 119, 120].map((step) => trainingProgress(at(Math.ceil(step / 40), step, 1000)).lastOfEpoch)
    expect(last).toEqual([false, true, false, true, false, false, true])
  })
})
