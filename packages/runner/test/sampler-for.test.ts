// The spec's training.sampler picks the epoch order: shuffled, class-balanced draws, or
// batches grouped by length.
import { Rng } from "@peftlab/core"
import { batchesOf } from "@peftlab/trainer"
import { describe, expect, it } from "vitest"
import { samplerFor } from "../src/sampler-for.ts"

// 40 examples: lengths 1..40, classes "a" (the first 30) and "b".
const examples = Array.from({ length: 40 }, (_, i) => ({ id: i, length: ((i * 17) % 40) + 1, label: i < 30 ? "a" : "b" }))
type Example = (typeof examples)[number]
const order = (sampler: "shuffled" | "class_balanced" | "length_grouped") =>
  samplerFor<Example>({ sampler, batch_size: 4 }, (e) => e.length, (e) => e.label)(examples, Rng.seeded(7))

describe("samplerFor", () => {
  it("shuffled: every example once", () => {
    const ids = order("shuffled").map((e) => e.id)
    expect([...ids].sort((a, b) => a - b)).toEqual(examples.map((e) => e.id))
    expect(ids).not.toEqual(examples.map((e) => e.id))
  })

  it("length_grouped: every example once, each batch of neighbouring lengths", () => {
    const batches = batchesOf(order("length_grouped"), 4)
    expect(batches.flat().map((e) => e.id).sort((a, b) => a - b)).toEqual(examples.map((e) => e.id))
    // All 40 fit one mega-batch, so each batch holds 4 consecutive lengths.
    for (const batch of batches) expect(Math.max(...batch.map((e) => e.length)) - Math.min(...batch.map((e) => e.length))).toBe(3)
  })

  it("class_balanced: both classes drawn about equally, though 'a' is three times as common", () => {
    const draws = Array.from({ length: 50 }, (_, seed) => samplerFor<Example>({ sampler: "class_balanced", batch_size: 4 }, (e) => e.length, (e) => e.label)(examples, Rng.seeded(seed))).flat()
    const shareOfB = draws.filter((e) => e.label === "b").length / draws.length
    expect(shareOfB).toBeGreaterThan(0.45)
    expect(shareOfB).toBeLessThan(0.55)
  })
})
