import { describe, expect, it } from "vitest"
import { countSentences, countSyllables, listWords, MetricInputError, readability, sentencePieces } from "../src/index.ts"

// Expected values below were worked out by hand from textstat's rules (textstat 0.7.8) and
// checked with textstat itself; test/readability-textstat.test.ts compares many texts in bulk.

describe("countSyllables (CMUdict first, else hyphenation points + 1)", () => {
  it.each([
    ["the", 1], // CMUdict: DH AH0
    ["table", 2],
    ["readability", 5],
    ["physicians", 3],
    ["Physicians", 3], // looked up lowercased
    ["created", 3], // CMUdict K R IY0 EY1 T IH0 D, where a vowel-group heuristic says 2
    ["business", 2], // B IH1 Z N AH0 S: silent inner i
    ["hyperlipoproteinemia", 5], // not in CMUdict: hy-per-lipopro-teine-mia, 4 points + 1
    ["1975", 1], // not in CMUdict, no hyphenation point
  ])("%s has %i", (word, expected) => {
    expect(countSyllables(word)).toBe(expected)
  })
})

describe("textstat's words and sentences", () => {
  it("keeps contraction apostrophes, drops other punctuation (hyphens too) and splits on whitespace", () => {
    expect(listWords("Don't 'quote' well-known U.S. e.g. 3.5% DON'T file_name")).toEqual(["Don't", "quote", "wellknown", "US", "eg", "35", "DONT", "file_name"])
  })

  it("counts pieces from a word boundary to the next . ! ? run, ignoring pieces of at most 2 words", () => {
    expect(sentencePieces("He said stop. Then he left! Why? because 3.5 is odd")).toEqual(["He said stop.", "Then he left!", "Why?", "because 3.", "5 is odd"])
    // "Why?" and "because 3." have at most 2 words: 3 sentences remain.
    expect(countSentences("He said stop. Then he left! Why? because 3.5 is odd")).toBe(3)
    expect(countSentences("Yes. No.")).toBe(1) // never below 1 for a non-empty text
    expect(countSentences("")).toBe(0)
  })
})

describe("readability", () => {
  it("grades a monosyllabic text by hand (Kincaid et al. 1975; McLaughlin 1969)", () => {
    // Pieces "The cat sat on the mat." (6 words) and "The dog ran." (3): 2 sentences, 9 words, 9 syllables.
    // FK = 0.39·4.5 + 11.8·1 − 15.59 = −2.035; SMOG = 1.043·√0 + 3.1291 = 3.1291.
    const r = readability("The cat sat on the mat. The dog ran.")
    expect(r).toMatchObject({ sentences: 2, words: 9, syllables: 9, polysyllables: 0 })
    expect(r.fleschKincaidGrade).toBeCloseTo(-2.035, 12)
    expect(r.smogIndex).toBeCloseTo(3.1291, 12)
  })

  it("grades a polysyllabic text by hand", () => {
    // CMUdict: readability 5, formulas 3, estimate 3, difficulty 4 | physicians 3, prescribe 2, medication 4:
    // 2 sentences (4 and 3 words), 7 words, 24 syllables, 6 polysyllables.
    // FK = 0.39·3.5 + 11.8·24/7 − 15.59; SMOG = 1.043·√(30·6/2) + 3.1291 = 13.0238668… (textstat: 13.023866798666859).
    const r = readability("Readability formulas estimate difficulty. Physicians prescribe medication.")
    expect(r).toMatchObject({ sentences: 2, words: 7, syllables: 24, polysyllables: 6 })
    expect(r.fleschKincaidGrade).toBeCloseTo(0.39 * 3.5 + (11.8 * 24) / 7 - 15.59, 12)
    expect(r.smogIndex).toBeCloseTo(13.023866798666859, 12)
  })

  it("rejects a text without words", () => {
    expect(() => readability(" -- ")).toThrow(MetricInputError)
  })
})
