import { describe, expect, it } from "vitest"
import { bleuFromStatistics, bleuStatistics, corpusBleu, MetricInputError, sentenceBleu, tokenize13a } from "../src/index.ts"

// sacreBLEU's README example, also test/test_bleu.py's test_corpus_bleu cases (mjpost/sacrebleu):
// two reference streams, here regrouped per example.
const refStreams = [
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
]
const hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
const refs = hyps.map((_, i) => refStreams.map((stream) => stream[i]!))

describe("corpusBleu (sacreBLEU corpus_bleu defaults: 13a, exp smoothing, no effective order)", () => {
  it("reproduces the README example: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", () => {
    const b = corpusBleu(refs, hyps)
    expect(Math.abs(b.score - 48.530827)).toBeLessThan(1e-6) // test_bleu.py, EPSILON 1e-8 on 48.530827 (rounded there)
    expect(b.sysLen).toBe(17)
    expect(b.refLen).toBe(18)
    expect(b.bp).toBeCloseTo(Math.exp(1 - 18 / 17), 12)
    // Unigrams by hand: 6/6 + "It" "." of 4 ("wasn't" is one 13a token) + 6 of 7 ("just" unmatched) = 14/17.
    expect(b.counts[0]).toBe(14)
    expect(b.totals).toEqual([17, 14, 11, 8])
    expect(b.precisions.map((p) => p.toFixed(1))).toEqual(["82.4", "50.0", "45.5", "37.5"])
  })

  it("matches test_bleu.py's other corpus cases", () => {
    expect(Math.abs(corpusBleu(refs, hyps, { tokenize: "none" }).score - 49.1919566)).toBeLessThan(1e-6)
    expect(Math.abs(corpusBleu(refs, hyps, { smoothMethod: "none" }).score - 48.530827)).toBeLessThan(1e-6)
    expect(corpusBleu(refs, ["", "", ""]).score).toBe(0) // empty hypotheses are scored, not removed
  })

  it("matches test_bleu.py's statistics, scoring, offset and effective-order cases (raw_corpus_bleu: no tokenizer, floor, effective order)", () => {
    const raw = { tokenize: "none", smoothMethod: "floor", effectiveOrder: true } as const
    // test_case_statistics
    const s = corpusBleu(["I am a symbol string sequence a a"], ["am I am a character sequence"], { ...raw, smoothValue: 0.01 })
    expect(s.counts).toEqual([4, 2, 1, 0])
    expect(s.totals).toEqual([6, 5, 4, 3])
    // test_case_offset: floor 0.1 (the default value) and 0
    expect(Math.abs(corpusBleu(["I am a symbol string sequence a a"], ["am I am a character sequence"], raw).score / 100 - 0.1555722182)).toBeLessThan(1e-8)
    expect(corpusBleu(["I am a symbol string sequence a a"], ["am I am a character sequence"], { ...raw, smoothValue: 0 }).score).toBe(0)
    // test_case_scoring: compute_bleu([9,7,5,3], [10,8,6,4], 11, 11) without smoothing
    const scored = bleuFromStatistics([{ counts: [9, 7, 5, 3], totals: [10, 8, 6, 4], sysLen: 11, refLen: 11 }], { smoothMethod: "none" })
    expect(Math.abs(scored.score / 100 - 0.8375922397)).toBeLessThan(1e-8)
    // test_case_effective_order
    const cases: Array<[string, string, number]> = [
      ["test", "a test", 0.3678794411714425],
      ["a test", "a test", 1.0],
      ["a little test", "a test", 0.03218297948685433],
    ]
    for (const [hyp, ref, expected] of cases) expect(Math.abs(corpusBleu([ref], [hyp], { ...raw, smoothValue: 0.01 }).score / 100 - expected)).toBeLessThan(1e-8)
  })

  it("matches a hand computation with one reference", () => {
    // hyp "the cat sat on the mat", ref "the cat is on the mat" (6 tokens each, BP 1).
    // 1-grams 5/6 (the×2, cat, on, mat); 2-grams 3/5 (the cat, on the, the mat); 3-grams 1/4 (on the mat);
    // 4-grams 0/3 → exp smoothing 1/(2·3). BLEU = 100 · (5/6 · 3/5 · 1/4 · 1/6)^(1/4).
    const b = corpusBleu(["the cat is on the mat"], ["the cat sat on the mat"])
    expect(b.counts).toEqual([5, 3, 1, 0])
    expect(b.score).toBeCloseTo(100 * ((5 / 6) * (3 / 5) * (1 / 4) * (1 / 6)) ** 0.25, 10)
    expect(corpusBleu(["the cat is on the mat"], ["the cat sat on the mat"], { smoothMethod: "none" }).score).toBe(0)
  })

  it("clips n-grams by their largest count in any one reference and takes the closest reference length, the shorter on a tie", () => {
    // "the the the" vs refs "the cat" (the×1) and "the the dog" (the×2): clipped unigrams 2 of 3.
    expect(bleuStatistics([["the cat", "the the dog"]], ["the the the"])[0]!.counts[0]).toBe(2)
    // 4 tokens vs references of 3 and 5: both 1 away → 3.
    expect(bleuStatistics([["a b c", "a b c d e"]], ["a b c d"])[0]!.refLen).toBe(3)
  })

  it("rejects mismatched input", () => {
    expect(() => corpusBleu(["a"], ["a", "b"])).toThrow(MetricInputError)
    expect(() => corpusBleu([], [])).toThrow(MetricInputError)
    expect(() => corpusBleu([[]], ["a"])).toThrow(/index 0: no reference/)
  })
})

describe("sentenceBleu (sacreBLEU sentence_bleu: effective order on)", () => {
  // test/test_sentence_bleu.py, example from sacreBLEU issue #98; tolerance 1e-3 as there.
  const REF = "producţia de zahăr brut se exprimă în zahăr alb;"
  const SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;"
  it.each([
    ["exp", undefined, "13a", 8.493],
    ["none", undefined, "13a", 0.0],
    ["floor", undefined, "13a", 4.51688],
    ["floor", 0.5, "13a", 10.1],
    ["add-k", undefined, "13a", 14.882],
    ["add-k", 2, "13a", 21.389],
    ["exp", undefined, "none", 7.347],
  ] as const)("smooth %s (value %s), tokenize %s → %d", (smoothMethod, smoothValue, tokenize, expected) => {
    expect(Math.abs(sentenceBleu(REF, SYS, { smoothMethod, smoothValue, tokenize }).score - expected)).toBeLessThan(1e-3)
  })

  it("scores 0 when nothing matches, whatever the smoothing (issue #141 cases)", () => {
    for (const smoothMethod of ["exp", "none", "floor", "add-k"] as const) expect(sentenceBleu("okay thanks", "this is a cat", { smoothMethod }).score).toBe(0)
  })
})

describe("tokenize13a", () => {
  it("splits symbols, and periods and commas except inside numbers, as mteval-v13a (hand-applied regexes)", () => {
    expect(tokenize13a("Hello, world! It's 3.14 and 1,000.")).toBe("Hello , world ! It's 3.14 and 1,000 .")
    // a dash after a digit is split, "--" elsewhere is not; HTML entities are unescaped; <skipped> and "-\n" vanish.
    expect(tokenize13a("pages 5-6 -- &quot;x&quot; &amp; <skipped>end-\nline")).toBe('pages 5 - 6 -- " x " & endline')
  })
})
