import { describe, expect, it } from "vitest"
import { addLoss, emptyLossCurve, lossCurveCapacity, lossPoints, type LossCurve } from "../src/index.ts"

const curveOf = (losses: ReadonlyArray<number>): LossCurve => losses.reduce(addLoss, emptyLossCurve)
const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length

describe("loss curve", () => {
  it("keeps one point per step up to its capacity", () => {
    const losses = Array.from({ length: lossCurveCapacity }, (_, i) => 1 / (i + 1))
    expect(lossPoints(curveOf(losses))).toEqual(losses)
    expect(lossPoints(emptyLossCurve)).toEqual([])
  })

  it("halves its resolution when it overflows, each point the mean of its steps", () => {
    const losses = Array.from({ length: 100 }, (_, i) => i)
    const curve = curveOf(losses)
    // 24 single steps, then pairs (25 > 24 merges to 13), then fours at step 49, eights at step 97.
    expect(curve.stepsPerPoint).toBe(8)
    const points = lossPoints(curve)
    expect(points).toHaveLength(Math.ceil(100 / 8))
    for (const [i, point] of points.entries()) expect(point).toBeCloseTo(mean(losses.slice(8 * i, 8 * i + 8)), 12)
    expect(points.length).toBeLessThanOrEqual(lossCurveCapacity)
  })

  it("fills the last, partial point before starting a new one", () => {
    const curve = curveOf(Array.from({ length: lossCurveCapacity + 2 }, () => 1))
    expect(curve.stepsPerPoint).toBe(2)
    // 26 steps in pairs: 13 full points.
    expect(curve.buckets.map((b) => b.count)).toEqual(Array.from({ length: 13 }, () => 2))
  })
})
