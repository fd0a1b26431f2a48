import { describe, expect, it } from "vitest"
import {
  formatDuration,
  formatEpochStep,
  formatLog,
  formatMetrics,
  formatNumber,
  formatPercent,
  formatRate,
  formatValidation,
  progressBar,
} from "../src/index.ts"

describe("formatDuration", () => {
  it("writes m:ss below an hour and h:mm:ss above, rounding to whole seconds", () => {
    expect(formatDuration(0)).toBe("0:00")
    expect(formatDuration(35_000)).toBe("0:35")
    expect(formatDuration(65_000)).toBe("1:05")
    expect(formatDuration(59_600)).toBe("1:00")
    expect(formatDuration(3_723_000)).toBe("1:02:03")
    expect(formatDuration(36_005_000)).toBe("10:00:05")
  })

  it("shows an unknown duration as --:--", () => {
    for (const ms of [undefined, Number.NaN, Number.POSITIVE_INFINITY, -1]) expect(formatDuration(ms)).toBe("--:--")
  })
})

describe("numbers and metrics", () => {
  it("writes four decimals, and nan for a diverged loss", () => {
    expect(formatNumber(0.69314718)).toBe("0.6931")
    expect(formatNumber(2)).toBe("2.0000")
    expect(formatNumber(Number.NaN)).toBe("nan")
  })

  it("rounds throughput to whole tokens per second", () => {
    expect(formatRate(411.6)).toBe("412 tok/s")
  })

  it("lists metrics in their given order", () => {
    expect(formatMetrics({ accuracy: 0.635, macro_f1: 0.59141 })).toBe("accuracy 0.6350, macro_f1 0.5914")
    expect(formatMetrics({})).toBe("")
    expect(formatMetrics({ trainable_params: 512, macro_f1: 0.5 })).toBe("trainable_params 512, macro_f1 0.5000")
  })

  it("marks the best validation", () => {
    expect(formatValidation({ metric: "macro_f1", value: 0.5811, best: true })).toBe("macro_f1 0.5811 (best)")
    expect(formatValidation({ metric: "accuracy", value: 0.5, best: false })).toBe("accuracy 0.5000")
    expect(formatValidation({ metric: "macro_f1", value: 0.5, best: false, loss: 0.25 })).toBe("loss 0.2500, macro_f1 0.5000")
    expect(formatValidation({ metric: "loss", value: 0.25, best: true, loss: 0.25 })).toBe("loss 0.2500 (best)")
  })

  it("writes the epoch and step", () => {
    expect(formatEpochStep({ epoch: 1, epochs: 2, step: 12, totalSteps: 40 })).toBe("epoch 1/2 step 12/40")
  })

  it("prefixes warnings only", () => {
    expect(formatLog({ level: "info", message: "loaded" })).toBe("loaded")
    expect(formatLog({ level: "warn", message: "truncated" })).toBe("warning: truncated")
  })
})

describe("progress bar and percent", () => {
  it("fills the rounded share of the width", () => {
    expect(progressBar(0.4, 10)).toBe("████░░░░░░")
    expect(progressBar(0.25, 10)).toBe("███░░░░░░░") // 2.5 cells round up
    expect(progressBar(0, 4)).toBe("░░░░")
    expect(progressBar(1, 4)).toBe("████")
  })

  it("clamps fractions outside [0, 1] and treats NaN as empty", () => {
    expect(progressBar(1.5, 4)).toBe("████")
    expect(progressBar(-0.2, 4)).toBe("░░░░")
    expect(progressBar(Number.NaN, 4)).toBe("░░░░")
  })

  it("floors the percent so 100% means finished, right-aligned to four characters", () => {
    expect(formatPercent(0.4)).toBe(" 40%")
    expect(formatPercent(0.999)).toBe(" 99%")
    expect(formatPercent(1)).toBe("100%")
    expect(formatPercent(1.3)).toBe("100%")
    expect(formatPercent(0)).toBe("  0%")
  })
})
