import { describe, expect, it } from "vitest"
import { MetricInputError, normalizeSquadAnswer, squadExactMatch, squadF1, squadMetrics } from "../src/index.ts"

// Expected values worked by hand from SQuAD v1.1's official evaluate-v1.1.py (normalize_answer,
// f1_score, exact_match_score, metric_max_over_ground_truths, evaluate); the normalization and F1
// cases were also checked by running those functions, copied from the script, under Python 3.11.
describe("normalizeSquadAnswer", () => {
  it.each([
    ["The  Quick, brown fox!", "quick brown fox"], // lowercase, punctuation, article, whitespace
    ["an apple a day", "apple day"],
    ["theory of the atom", "theory of atom"], // "the" only as a whole word
    ["a_the", "athe"], // "_" is in string.punctuation and goes first
    ["the café éthe", "café éthe"], // Python's Unicode \b: "é" is a word character, so "éthe" keeps its "the"
    ["\u00a0the\u2003end ", "end"], // Unicode whitespace, as str.split()
  ])("%j → %j", (text, expected) => {
    expect(normalizeSquadAnswer(text)).toBe(expected)
  })
})

describe("squadExactMatch and squadF1", () => {
  it("take the best reference", () => {
    expect(squadExactMatch("the Denver Broncos", ["Denver Broncos", "Broncos"])).toBe(1)
    expect(squadExactMatch("Broncos of Denver", ["Denver Broncos"])).toBe(0)
    // tokens broncos, of, denver vs denver, broncos: 2 in common → P 2/3, R 1, F1 0.8; vs "Broncos": P 1/3, R 1, F1 0.5.
    expect(squadF1("Broncos of Denver", ["Denver Broncos", "Broncos"])).toBeCloseTo(0.8, 12)
  })

  it("counts repeated tokens at most as often as both sides have them (Counter &)", () => {
    // pred "a b b c" → b b c (article a dropped), ref "b c c" → common b×1, c×1 = 2: P 2/3, R 2/3.
    expect(squadF1("a b b c", ["b c c"])).toBeCloseTo(2 / 3, 12)
  })

  it("keeps the official script's edge cases: two answers that normalize to nothing match exactly but have F1 0", () => {
    expect(squadExactMatch("The", ["a"])).toBe(1)
    expect(squadF1("The", ["a"])).toBe(0)
    expect(squadF1("", ["Denver"])).toBe(0)
  })
})

describe("squadMetrics", () => {
  it("reports percentages over examples and each example's scores", () => {
    // EM 1, 0, 0 → 33.33…; F1 1, 0.8, 0 → 60.
    const m = squadMetrics([["Denver Broncos"], ["Denver Broncos"], ["Santa Clara"]], ["Denver Broncos", "Broncos of Denver", "Levi's Stadium"])
    expect(m.exactMatch).toBeCloseTo(100 / 3, 10)
    expect(m.f1).toBeCloseTo(60, 10)
    expect(m.perExample.map((e) => e.exactMatch)).toEqual([1, 0, 0])
  })

  it("rejects an example without references and mismatched lengths", () => {
    expect(() => squadMetrics([[]], ["x"])).toThrow(MetricInputError)
    expect(() => squadMetrics([["x"]], [])).toThrow(/one prediction per reference/)
  })
})
