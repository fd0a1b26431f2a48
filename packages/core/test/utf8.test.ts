// nonUtf8Line: undefined for UTF-8 (a BOM and multi-byte characters included), else the line
// of the first bytes that are not UTF-8, as the spec loader and the data readers report it.
import { describe, expect, it } from "vitest"
import { nonUtf8Line } from "../src/utf8.ts"

describe("nonUtf8Line", () => {
  it("finds nothing wrong in UTF-8", () => {
    expect(nonUtf8Line(Buffer.from("\uFEFFcafé\n𝔸\nend"))).toBeUndefined()
    expect(nonUtf8Line(Buffer.alloc(0))).toBeUndefined()
  })

  it("names the line of the first bytes that are not UTF-8", () => {
    expect(nonUtf8Line(Buffer.from("caf\xe9", "latin1"))).toBe(1)
    expect(nonUtf8Line(Buffer.concat([Buffer.from("a\nb\n"), Buffer.from([0xc3]), Buffer.from("\n\xff", "latin1")]))).toBe(3)
  })
})
