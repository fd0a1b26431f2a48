import { describe, expect, it } from "vitest"
import { corpusRouge, MetricInputError, porterStem, rouge, rougeLcs, rougeN, rougeTokenize } from "../src/index.ts"

// First lines of rouge-score's rouge/testdata/target.txt and prediction.txt (google-research/google-research),
// whose expected scores rouge_scorer_test.py takes from manual runs of the official ROUGE-1.5.5.
const targets = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
]
const predictions = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
]

const close = (actual: { precision: number; recall: number; fmeasure: number }, expected: [number, number, number], digits: number) => {
  expect(actual.precision).toBeCloseTo(expected[0], digits)
  expect(actual.recall).toBeCloseTo(expected[1], digits)
  expect(actual.fmeasure).toBeCloseTo(expected[2], digits)
}

describe("rouge (rouge-score's rouge_scorer_test.py cases)", () => {
  it("scores ROUGE-1, ROUGE-2 and ROUGE-L on the hand-sized cases (precision, recall, F)", () => {
    close(rouge("testing one two", "testing").rouge1, [1, 1 / 3, 1 / 2], 12) // testRouge1
    close(rouge("testing one two", "testing one").rouge2, [1, 1 / 2, 2 / 3], 12) // testRouge2
    close(rouge("testing one two", "testing one").rouge1, [1, 2 / 3, 4 / 5], 12) // testMultipleRougeTypes
    close(rouge("testing one two", "testing one").rougeL, [1, 2 / 3, 4 / 5], 12) // testRougeLConsecutive
    close(rouge("testing one two", "testing two").rougeL, [1, 2 / 3, 4 / 5], 12) // testRougeLNonConsecutive
  })

  it("scores an empty prediction 0 on every type (testRougeEmpty)", () => {
    const s = rouge("testing one two", "")
    for (const score of [s.rouge1, s.rouge2, s.rougeL]) expect(score).toEqual({ precision: 0, recall: 0, fmeasure: 0 })
  })

  it("matches ROUGE-1.5.5 on rouge-score's test data, to 5 decimals as rouge_scorer_test.py", () => {
    // testRouge1AgainstRouge155, testRouge2AgainstRouge155, testRougeLAgainstRouge155: [precision, recall, F].
    const plain = targets.map((t, i) => rouge(t, predictions[i]!))
    close(plain[0]!.rouge1, [0.6875, 0.40741, 0.51163], 5)
    close(plain[1]!.rouge1, [0.65385, 0.40476, 0.5], 5)
    close(plain[0]!.rouge2, [0.53333, 0.30769, 0.39024], 5)
    close(plain[1]!.rouge2, [0.48, 0.29268, 0.36364], 5)
    close(plain[0]!.rougeL, [0.6875, 0.40741, 0.51163], 5)
    close(plain[1]!.rougeL, [0.65385, 0.40476, 0.5], 5)
    // ...WithStemming (ROUGE-1.5.5 -m): stemming changes the second pair's ROUGE-1 only.
    const stemmed = targets.map((t, i) => rouge(t, predictions[i]!, { useStemmer: true }))
    close(stemmed[0]!.rouge1, [0.6875, 0.40741, 0.51163], 5)
    close(stemmed[1]!.rouge1, [0.69231, 0.42857, 0.52941], 5)
    close(stemmed[0]!.rouge2, [0.53333, 0.30769, 0.39024], 5)
    close(stemmed[1]!.rouge2, [0.48, 0.29268, 0.36364], 5)
  })

  it("scores the RougeScorer docstring example by hand", () => {
    // score('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.'), use_stemmer=True.
    // Tokens: the quick brown fox jump over the lazi dog (9) / the quick brown dog jump on the log (8).
    // ROUGE-1: the×2, quick, brown, dog, jump = 6 → P 6/8, R 6/9. ROUGE-2: "the quick", "quick brown" → P 2/7, R 2/8.
    // ROUGE-L: LCS "the quick brown jump the" = 5 → P 5/8, R 5/9, F = 2·(5/8)(5/9)/(5/8 + 5/9) = 10/17.
    const s = rouge("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", { useStemmer: true })
    close(s.rouge1, [6 / 8, 6 / 9, 12 / 17], 12)
    close(s.rouge2, [2 / 7, 2 / 8, 4 / 15], 12)
    close(s.rougeL, [5 / 8, 5 / 9, 10 / 17], 12)
  })

  it("rougeN and rougeLcs work on token lists, clipping repeated n-grams", () => {
    // target a a b, prediction a a a: unigram overlap min(2,3) = 2 → P 2/3, R 2/3; LCS "a a" = 2.
    close(rougeN(["a", "a", "b"], ["a", "a", "a"], 1), [2 / 3, 2 / 3, 2 / 3], 12)
    close(rougeLcs(["a", "a", "b"], ["a", "a", "a"]), [2 / 3, 2 / 3, 2 / 3], 12)
    expect(() => rougeN(["a"], ["a"], 0)).toThrow(MetricInputError)
  })
})

describe("rougeTokenize (rouge-score tokenize.py)", () => {
  it("lowercases, splits on everything outside [a-z0-9] and stems only tokens longer than 3 characters", () => {
    expect(rougeTokenize("Hello, World! ÉCOLE 3.14 don't")).toEqual(["hello", "world", "cole", "3", "14", "don", "t"])
    // "cats" (4 characters) is stemmed to "cat"; "was" (3) is left alone though Porter would give "wa".
    expect(rougeTokenize("Cats was running", { useStemmer: true })).toEqual(["cat", "was", "run"])
  })
})

describe("corpusRouge", () => {
  it("averages per-example F-measures (rouge-score scoring.py BootstrapAggregator docstring: mid F 0.40)", () => {
    // ("one two three", "one two"): P 1, R 2/3, F 0.8; ("one two five six", "seven eight"): 0. Mean 0.4.
    const c = corpusRouge(["one two three", "one two five six"], ["one two", "seven eight"])
    expect(c.rouge1).toBeCloseTo(0.4, 12)
    expect(c.rougeL).toBeCloseTo(0.4, 12)
    // ROUGE-2: "one two" matches, P 1, R 1/2, F 2/3; the second pair 0 → mean 1/3.
    expect(c.rouge2).toBeCloseTo(1 / 3, 12)
    expect(c.perExample).toHaveLength(2)
  })

  it("rejects unequal lengths and empty input", () => {
    expect(() => corpusRouge(["a"], [])).toThrow(/one prediction per reference \(1\), got 0/)
    expect(() => corpusRouge([], [])).toThrow(MetricInputError)
  })
})

describe("porterStem (NLTK's PorterStemmer, default NLTK_EXTENSIONS mode)", () => {
  it("reproduces the NLTK stemming HOWTO (nltk/test/stem.doctest)", () => {
    const plurals = ["caresses", "flies", "dies", "mules", "denied", "died", "agreed", "owned", "humbled", "sized", "meeting", "stating", "siezing", "itemization", "sensational", "traditional", "reference", "colonizer", "plotted"]
    expect(plurals.map(porterStem).join(" ")).toBe("caress fli die mule deni die agre own humbl size meet state siez item sensat tradit refer colon plot")
  })

  it("follows Porter (1980)'s worked examples through all steps", () => {
    // Section 4 of the paper: GENERALIZATIONS → GENERALIZATION → GENERALIZE → GENERAL → GENER,
    // OSCILLATORS → OSCILLATOR → OSCILLATE → OSCILL → OSCIL.
    expect(porterStem("generalizations")).toBe("gener")
    expect(porterStem("oscillators")).toBe("oscil")
  })

  it("applies NLTK's departures from the paper (documented in nltk/stem/porter.py)", () => {
    expect(porterStem("skies")).toBe("sky") // irregular forms table
    expect(porterStem("dying")).toBe("die")
    expect(porterStem("ties")).toBe("tie") // a four-letter -ies keeps "ie" (the paper: "ti")
    expect(porterStem("happy")).toBe("happi") // y → i after a consonant
    expect(porterStem("enjoy")).toBe("enjoy") // ...but not after a vowel (the paper: "enjoi")
    expect(porterStem("oed")).toBe("o") // NLTK test_stem.py test_oed_bug
    expect(porterStem("is")).toBe("is") // two letters: left alone
  })
})
