import { describe, expect, it } from "vitest"
import { countSyllables, MetricInputError, readability, splitSentences } from "../src/index.ts"

describe("countSyllables (the heuristic documented in readability.ts)", () => {
  it.each([
    ["the", 1], // up to 3 letters
    ["make", 1], // silent final e
    ["table", 2], // consonant + le is a syllable
    ["tables", 2],
    ["called", 1], // ll + ed: silent ed
    ["wanted", 2], // ed after t is a syllable
    ["jumped", 1],
    ["makes", 1], // silent es
    ["boxes", 2], // es after x is a syllable
    ["wishes", 2], // ...and after sh
    ["agreed", 2], // a-gree(d)
    ["beautiful", 3], // "eau" is one vowel group
    ["readability", 5],
    ["well-known", 2], // hyphenated parts count separately
    ["Physicians", 3], // case does not matter
    ["1975", 1], // no letters: still a word of one syllable
  ])("%s has %i", (word, expected) => {
    expect(countSyllables(word)).toBe(expected)
  })
})

describe("splitSentences", () => {
  it("splits after . ! ? and closing quotes when whitespace follows, and keeps a final unpunctuated piece", () => {
    expect(splitSentences('He said "Stop." Then he left! Why? because 3.5 is odd')).toEqual(['He said "Stop."', "Then he left!", "Why?", "because 3.5 is odd"])
    expect(splitSentences("  ... ")).toEqual([])
  })
})

describe("readability", () => {
  it("grades a monosyllabic text by hand (Kincaid et al. 1975; McLaughlin 1969)", () => {
    // 2 sentences, 9 words, 9 syllables, no polysyllables:
    // FK = 0.39·4.5 + 11.8·1 − 15.59 = −2.035; SMOG = 1.0430·√0 + 3.1291 = 3.1291.
    const r = readability("The cat sat on the mat. The dog ran.")
    expect(r).toMatchObject({ sentences: 2, words: 9, syllables: 9, polysyllables: 0 })
    expect(r.fleschKincaidGrade).toBeCloseTo(-2.035, 12)
    expect(r.smogIndex).toBeCloseTo(3.1291, 12)
  })

  it("grades a polysyllabic text by hand", () => {
    // readability 5, formulas 3, estimate 3 (silent e), difficulty 4 | physicians 3, prescribe 2, medication 4:
    // 2 sentences, 7 words, 24 syllables, 6 polysyllables.
    // FK = 0.39·3.5 + 11.8·24/7 − 15.59 = 26.2321428…; SMOG = 1.0430·√(6·30/2) + 3.1291 = 13.0238668…
    const r = readability("Readability formulas estimate difficulty. Physicians prescribe medication.")
    expect(r).toMatchObject({ sentences: 2, words: 7, syllables: 24, polysyllables: 6 })
    expect(r.fleschKincaidGrade).toBeCloseTo(0.39 * 3.5 + (11.8 * 24) / 7 - 15.59, 12)
    expect(r.smogIndex).toBeCloseTo(1.043 * Math.sqrt(90) + 3.1291, 12)
  })

  it("rejects a text without words", () => {
    expect(() => readability(" -- ")).toThrow(MetricInputError)
  })
})
