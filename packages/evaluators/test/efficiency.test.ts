import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { adapterSize, formatWallTime, MetricInputError, startMemorySampler, tokensPerSecond } from "../src/index.ts"

describe("tokensPerSecond", () => {
  it("divides tokens by seconds", () => {
    expect(tokensPerSecond(500, 2000)).toBe(250)
    expect(tokensPerSecond(0, 10)).toBe(0)
    expect(() => tokensPerSecond(10, 0)).toThrow(MetricInputError)
    expect(() => tokensPerSecond(1.5, 10)).toThrow(MetricInputError)
  })
})

describe("formatWallTime", () => {
  it.each([
    [0, "0.0s"],
    [12_345, "12.3s"],
    [59_949, "59.9s"],
    [59_950, "1m 00s"], // would print as 60.0s
    [247_000, "4m 07s"],
    [7_509_000, "2h 05m 09s"],
  ])("%d ms → %s", (ms, expected) => {
    expect(formatWallTime(ms)).toBe(expected)
  })

  it("rejects negative and non-finite durations", () => {
    expect(() => formatWallTime(-1)).toThrow(MetricInputError)
    expect(() => formatWallTime(Number.POSITIVE_INFINITY)).toThrow(MetricInputError)
  })
})

describe("adapterSize", () => {
  it("reports adapter_model.safetensors in bytes and MiB (bytes / 2^20)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-adapter-size-"))
    writeFileSync(join(dir, "adapter_model.safetensors"), Buffer.alloc(3 * 2 ** 20 + 512))
    expect(await Effect.runPromise(adapterSize(dir))).toEqual({ bytes: 3 * 2 ** 20 + 512, mebibytes: 3 + 512 / 2 ** 20 })
  })

  it("fails with MetricInputError naming the file when it is missing or not a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-adapter-size-"))
    const file = join(dir, "adapter_model.safetensors")
    const missing = await Effect.runPromise(Effect.flip(adapterSize(dir)))
    expect(missing).toBeInstanceOf(MetricInputError)
    expect(missing).toMatchObject({ source: file, detail: expect.stringMatching(/cannot read the adapter weights \(ENOENT/) })
    mkdirSync(file)
    expect(await Effect.runPromise(Effect.flip(adapterSize(dir)))).toMatchObject({ source: file, detail: "expected a file of adapter weights" })
  })
})

describe("startMemorySampler", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu")
  })

  it("keeps the peak of tfjs tensor bytes and of the resident set size", () => {
    const sampler = startMemorySampler(60_000) // the timer stays out of this test
    const tensorBytesBefore = tf.memory().numBytes
    const rssBefore = process.memoryUsage.rss()
    const tensor = tf.zeros([1_000_000]) // 4,000,000 bytes of float32
    const buffer = Buffer.alloc(64 * 2 ** 20, 1) // 64 MiB, written so that it is resident
    sampler.sample()
    tensor.dispose()
    const peak = sampler.stop()
    expect(peak.tensorBytes).toBe(tensorBytesBefore + 4_000_000)
    expect(peak.rssBytes - rssBefore).toBeGreaterThan(48 * 2 ** 20)
    expect(buffer[0]).toBe(1)
    expect(peak.samples).toBe(3) // at start, sample(), at stop
    expect(sampler.stop()).toEqual(peak)
  })

  it("samples on its timer", async () => {
    const sampler = startMemorySampler(5)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sampler.stop().samples).toBeGreaterThan(2)
  })
})
