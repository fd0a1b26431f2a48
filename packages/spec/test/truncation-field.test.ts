// training.truncation: what a run does with an input longer than training.max_length
// ("cut", the default, or "error"), and the refusal of any other value.
import { describe, expect, it } from "vitest"
import { decodeError, decodeOk, edit, minimalSpec, positionOf } from "./fixtures.ts"

const withTruncation = (value: string) => edit(minimalSpec, "  max_length: 64\n", `  max_length: 64\n  truncation: ${value}\n`)

describe("training.truncation", () => {
  it("defaults to cut", async () => {
    const { spec } = await decodeOk(minimalSpec)
    expect(spec.training.truncation).toBe("cut")
  })

  it("accepts cut and error", async () => {
    expect((await decodeOk(withTruncation("cut"))).spec.training.truncation).toBe("cut")
    expect((await decodeOk(withTruncation("error"))).spec.training.truncation).toBe("error")
  })

  it("refuses any other value at the value, naming the allowed ones", async () => {
    const text = withTruncation("warn")
    const error = await decodeError(text)
    expect(error.issues).toStrictEqual([{ path: "training.truncation", expected: "one of cut, error", found: '"warn"', ...positionOf(text, "warn") }])
  })

  it("refuses it on an arm, where it is not a per-arm setting", async () => {
    const text = edit(minimalSpec, "num_virtual_tokens: 4", "num_virtual_tokens: 4\n    training: { truncation: error }")
    const error = await decodeError(text)
    expect(error.issues.map((issue) => issue.path)).toStrictEqual(["arms[1].training.truncation"])
  })
})
