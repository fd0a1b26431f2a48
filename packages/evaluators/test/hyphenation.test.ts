// Liang's algorithm as pyphen applies it, on hand-checkable patterns and on the shipped
// hyph_en_US.dic (expected points from pyphen 0.18.1: Pyphen(lang="en_US").positions(word)).
import { describe, expect, it } from "vitest"
import { loadHyphenator, makeHyphenator, parsePatterns } from "../src/generation/readability/hyphenation.ts"

describe("parsePatterns", () => {
  it("reads digits between letters as values, skips the header and all-zero patterns, keeps the last duplicate", () => {
    const patterns = parsePatterns("UTF-8\nLEFTHYPHENMIN 2\n% comment\n.a2ch4\n1b1\nab0c\nhy3ph\nhy1ph\n")
    expect(patterns.get(".ach")).toEqual({ offset: 2, values: [2, 0, 4] })
    expect(patterns.get("b")).toEqual({ offset: 0, values: [1, 1] })
    expect(patterns.has("abc")).toBe(false)
    expect(patterns.get("hyph")).toEqual({ offset: 2, values: [1] })
  })

  it("refuses a file that is not UTF-8", () => {
    expect(() => parsePatterns("ISO8859-1\na1b\n")).toThrow("expected a UTF-8 file")
  })
})

describe("makeHyphenator", () => {
  it("takes the maximum value at each gap and hyphenates at odd ones, at least 2 letters from either end", () => {
    // ".ab1c" and "b2c" meet between b and c: max(1, 2) = 2 is even, no point; "c3d" puts 3 between c and d.
    const hyphenate = makeHyphenator(parsePatterns("UTF-8\nb2c\n.ab1c\nc3d\nd1e\n"))
    expect(hyphenate("abcde")).toEqual([3])
    // d1e would be at 4 = len − 1: dropped by right = 2; with right = 1 it stays.
    expect(makeHyphenator(parsePatterns("UTF-8\nb2c\n.ab1c\nc3d\nd1e\n"), 2, 1)("abcde")).toEqual([3, 4])
  })

  it("matches pyphen on hyph_en_US", () => {
    const hyphenate = loadHyphenator(new URL("../assets/readability/hyph_en_US.dic", import.meta.url))
    expect(hyphenate("hyphenation")).toEqual([2, 6]) // hy-phen-ation
    expect(hyphenate("hyperlipoproteinemia")).toEqual([2, 5, 12, 17]) // hy-per-lipopro-teine-mia
    expect(hyphenate("Readability")).toEqual([4, 8, 9]) // Read-abil-i-ty
    expect(hyphenate("the")).toEqual([])
  })
})
