import { describe, expect, it } from "vitest"
import { trainableParameterSummary } from "../src/index.ts"

describe("trainableParameterSummary", () => {
  it("gives the trainable share in percent", () => {
    // 8 192 / 1 048 576 = 1/128 = 0.78125 %
    expect(trainableParameterSummary(8_192, 1_048_576)).toEqual({ trainable: 8_192, total: 1_048_576, percent: 0.78125 })
    expect(trainableParameterSummary(0, 10).percent).toBe(0)
  })

  it("rejects counts that cannot be a share", () => {
    expect(() => trainableParameterSummary(5, 0)).toThrow(RangeError)
    expect(() => trainableParameterSummary(11, 10)).toThrow(RangeError)
    expect(() => trainableParameterSummary(1.5, 10)).toThrow(RangeError)
  })
})
