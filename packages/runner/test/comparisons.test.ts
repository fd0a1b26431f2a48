import { describe, expect, it } from "vitest"
import type { PredictionRow } from "@peftlab/reporters"
import { withHolm } from "../src/comparisons.ts"
import { compareWithBaseline } from "../src/tasks/classification/classification-comparisons.ts"
import { quickstartSpec } from "./fixtures.ts"

const rows = (ids: string, gold: string, pred: string): Array<PredictionRow> =>
  [...ids].map((id, i) => ({ id, gold: gold[i] === "y" ? "yes" : "no", pred: pred[i] === "y" ? "yes" : "no", score: 0.5 }))

describe("compareWithBaseline", () => {
  const twoArms = () => quickstartSpec((s) => ({ ...s, arms: s.arms.slice(0, 2) }))

  it("pairs predictions by example id and counts the discordant pairs", async () => {
    const spec = await twoArms()
    //                 ids       gold        pred
    const base = rows("abcdef", "yyynnn", "yynnnn") // right on a, b, d, e, f
    const prompt = rows("fedcba", "nnnyyy", "ynyyny") // in reverse order: right on e, c, a
    const [comparison] = compareWithBaseline(spec, ["yes", "no"], new Map([["base", base], ["prompt", prompt]]))
    expect(comparison!.arm).toBe("prompt")
    expect(comparison!.baseline).toBe("base")
    // b: base right, prompt wrong = {b, d, f}; c: base wrong, prompt right = {c}.
    expect(comparison!.mcnemar).toMatchObject({ b: 3, c: 1, n: 4 })
    expect(comparison!.bootstrap!.accuracy!.observed).toBeCloseTo(3 / 6 - 5 / 6, 12)
  })

  it("refuses arms evaluated on different test examples", async () => {
    const spec = await twoArms()
    const base = rows("abc", "yyy", "yyy")
    const prompt = rows("abd", "yyy", "yyy")
    expect(() => compareWithBaseline(spec, ["yes", "no"], new Map([["base", base], ["prompt", prompt]]))).toThrow(/lack test example c/)
  })

  it("Holm-adjusts each test's p-values across the arms compared with the baseline", () => {
    const summary = (pValue: number) => ({ observed: 0, ci95: [0, 0] as const, pValue, B: 10 })
    const comparisons = [0.01, 0.04, 0.03].map((p, i) => ({
      arm: `arm${i}`,
      baseline: "base",
      mcnemar: { b: 1, c: 2, n: 3, pValue: p / 2 },
      bootstrap: { accuracy: summary(p), macro_f1: summary(1 - p) },
    }))
    const adjusted = withHolm(comparisons)
    // Holm on (0.01, 0.04, 0.03): sorted 0.01·3 = 0.03, 0.03·2 = 0.06, then max(0.06, 0.04·1) = 0.06.
    expect(adjusted.map((c) => c.bootstrap!.accuracy!.pHolm)).toEqual([0.03, 0.06, 0.06].map((p) => expect.closeTo(p, 12)))
    expect(adjusted.map((c) => c.mcnemar!.pHolm)).toEqual([0.015, 0.03, 0.03].map((p) => expect.closeTo(p, 12)))
    // 0.99, 0.96, 0.97: every adjusted value is capped at 1.
    expect(adjusted.map((c) => c.bootstrap!.macro_f1!.pHolm)).toEqual([1, 1, 1])
    expect(withHolm(comparisons.slice(0, 1))[0]!.bootstrap!.accuracy!.pHolm).toBeUndefined()
  })
})
