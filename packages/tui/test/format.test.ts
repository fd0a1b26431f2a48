import { describe, expect, it } from "vitest"
import {
  formatBytes,
  formatBytesOf,
  formatDuration,
  formatEpochStep,
  formatLog,
  formatMetrics,
  formatNumber,
  formatRate,
  formatValidation,
  progressBar,
  sparkline,
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

describe("progress bar", () => {
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
})

describe("formatBytes", () => {
  it("uses binary units with one decimal below 10", () => {
    expect(formatBytes(0)).toBe("0 B")
    expect(formatBytes(1023)).toBe("1023 B")
    expect(formatBytes(1536)).toBe("1.5 KiB")
    expect(formatBytes(10 * 1024 + 700)).toBe("11 KiB") // 10.68 KiB
    expect(formatBytes(512 * 2 ** 20)).toBe("512 MiB")
    expect(formatBytes(3.25 * 2 ** 30)).toBe("3.3 GiB")
    expect(formatBytes(2 ** 50)).toBe("1024 TiB") // the largest unit keeps growing
  })
})

describe("formatBytesOf", () => {
  it("shows the part in the unit of the total, as formatBytes shows the total", () => {
    expect(formatBytesOf(0, 628)).toBe("0/628 B")
    expect(formatBytesOf(118 * 2 ** 20, 262 * 2 ** 20)).toBe("118/262 MiB")
    // 400000 B is 390.6 KiB; 1044992 B is 1020.5 KiB.
    expect(formatBytesOf(400_000, 1_044_992)).toBe("391/1021 KiB")
    // The total's precision: a decimal only when the total is below 10 of its unit.
    expect(formatBytesOf(512 * 2 ** 20, 3.25 * 2 ** 30)).toBe("0.5/3.3 GiB")
    expect(formatBytesOf(5.4 * 2 ** 20, 262 * 2 ** 20)).toBe("5/262 MiB")
  })
})

describe("sparkline", () => {
  it("scales each value between the smallest and the largest", () => {
    // Levels are round((v - 1) / 7 * 7) = v - 1 over the eight characters.
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe("▁▂▃▄▅▆▇█")
    expect(sparkline([8, 1, 4.5])).toBe("█▁▅") // 3.5 of 7 rounds up to level 4
  })

  it("puts a flat series in the middle and marks non-finite values", () => {
    expect(sparkline([0.7, 0.7, 0.7])).toBe("▄▄▄")
    expect(sparkline([2, Number.NaN, 1, Number.POSITIVE_INFINITY])).toBe("█×▁×")
    expect(sparkline([])).toBe("")
  })
})
