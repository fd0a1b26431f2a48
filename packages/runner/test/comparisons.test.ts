import { describe, expect, it } from "vitest"
import type { PredictionRow } from "@peftlab/reporters"
import { compareWithBaseline } from "../src/comparisons.ts"
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
})
