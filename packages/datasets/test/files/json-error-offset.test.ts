import { describe, expect, it } from "vitest"
import { jsonErrorOffset, lineColumn } from "../../src/files/json-error-offset.ts"

/** V8's own offset, for the messages that carry one: an independent reference. */
const v8Offset = (text: string): number | undefined => {
  try {
    JSON.parse(text)
    return undefined
  } catch (e) {
    const match = /at position (\d+)/.exec((e as Error).message)
    return match ? Number(match[1]) : undefined
  }
}

describe("jsonErrorOffset", () => {
  it("returns undefined for valid JSON", () => {
    for (const text of ['{"a": [1, -2.5e3, true, null, "x\\n\\u00e9"]}', " [] ", '"s"', "0"]) expect(jsonErrorOffset(text)).toBeUndefined()
  })

  it("points at the offending character (hand-counted)", () => {
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8)
    expect(jsonErrorOffset("[1 2]")).toBe(3)
    expect(jsonErrorOffset('{"a" 1}')).toBe(5)
    expect(jsonErrorOffset("[01]")).toBe(2)
    expect(jsonErrorOffset('["a\\x"]')).toBe(3)
    expect(jsonErrorOffset('["abc')).toBe(5)
    expect(jsonErrorOffset("[1] x")).toBe(4)
    expect(jsonErrorOffset("")).toBe(0)
  })

  it("agrees with V8 wherever V8 reports a position", () => {
    const texts = ['{"a": 1,}', '{"a" 1}', "[1] x", '{"a":\n "b\tc"}', '{\n  "x": [1,\n  2,]\n}', "[1,"]
    const compared = texts.filter((t) => v8Offset(t) !== undefined)
    expect(compared.length).toBeGreaterThanOrEqual(3)
    for (const text of compared) expect(jsonErrorOffset(text)).toBe(v8Offset(text))
  })
})

describe("lineColumn", () => {
  it("counts lines and columns from 1", () => {
    expect(lineColumn("ab\ncd", 0)).toBe("line 1, column 1")
    expect(lineColumn("ab\ncd", 4)).toBe("line 2, column 2")
  })
})
