import { describe, expect, it } from "vitest"
import { balancedAccuracy, MetricInputError } from "../src/index.ts"

describe("balancedAccuracy", () => {
  it("matches scikit-learn's balanced_accuracy_score docstring example (0.625)", () => {
    // y_true [0,1,0,0,1,0], y_pred [0,1,0,0,0,1]: recall of 0 is 3/4, of 1 is 1/2 → 0.625.
    expect(balancedAccuracy(["0", "1", "0", "0", "1", "0"], ["0", "1", "0", "0", "0", "1"], ["0", "1"])).toBeCloseTo(0.625, 12)
  })

  it("leaves out labels that never occur in gold, as scikit-learn does", () => {
    // gold yes,yes,no; pred yes,maybe,no: recall yes 1/2, no 1; "maybe" has no gold example → (1/2 + 1)/2.
    expect(balancedAccuracy(["yes", "yes", "no"], ["yes", "maybe", "no"], ["yes", "no", "maybe"])).toBeCloseTo(0.75, 12)
  })

  it("counts unknown predictions as misses when asked, and rejects them otherwise", () => {
    expect(balancedAccuracy(["yes", "yes", "no"], ["yes", "(none)", "no"], ["yes", "no"], { unknownPredictions: "wrong" })).toBeCloseTo(0.75, 12)
    expect(() => balancedAccuracy(["yes"], ["(none)"], ["yes", "no"])).toThrow(MetricInputError)
  })
})
