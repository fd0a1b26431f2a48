// The Porter stemmer in NLTK's default mode (PorterStemmer(mode=NLTK_EXTENSIONS), nltk/stem/porter.py),
// the one rouge-score applies with use_stemmer=True. It follows Porter (1980), "An algorithm for
// suffix stripping", Program 14(3):130-137, except where NLTK departs from the paper:
// - a table of irregular forms (skies → sky, dying → die, news, innings, proceed, …) bypasses the steps;
// - words of one or two letters are returned as they are;
// - step 1a: a four-letter "-ies" word keeps "ie" (dies → die); step 1b: "-ied" becomes "ie" in a
//   four-letter word and "i" otherwise (died → die, spied → spi), before the other rules;
// - condition *o also holds for a two-letter vowel-consonant stem;
// - step 1c: y → i only after a consonant that is not the whole stem (happy → happi, enjoy stays);
// - step 2: "alli" → "al" is tried first and step 2 run again, "bli" → "ble" replaces the paper's
//   "abli" → "able", and "fulli" → "ful" and "logi" → "log" (its "l" counted in the stem) are added.

const irregularForms: ReadonlyMap<string, string> = new Map(
  Object.entries({
    sky: ["sky", "skies"],
    die: ["dying"],
    lie: ["lying"],
    tie: ["tying"],
    news: ["news"],
    inning: ["innings", "inning"],
    outing: ["outings", "outing"],
    canning: ["cannings", "canning"],
    howe: ["howe"],
    proceed: ["proceed"],
    exceed: ["exceed"],
    succeed: ["succeed"],
  }).flatMap(([stem, forms]) => forms.map((form) => [form, stem] as const)),
)

const isVowelLetter = (c: string | undefined): boolean => c === "a" || c === "e" || c === "i" || c === "o" || c === "u"

/** The paper's consonant: not a, e, i, o, u, and not a y that follows a consonant. */
const isConsonant = (word: string, i: number): boolean => {
  const c = word[i]
  if (isVowelLetter(c)) return false
  if (c === "y") return i === 0 || !isConsonant(word, i - 1)
  return true
}

/** m in [C](VC)^m[V]: the number of vowel-to-consonant transitions. */
const measure = (stem: string): number => {
  let m = 0
  for (let i = 1; i < stem.length; i++) if (!isConsonant(stem, i - 1) && isConsonant(stem, i)) m++
  return m
}

const positiveMeasure = (stem: string): boolean => measure(stem) > 0
const measureAboveOne = (stem: string): boolean => measure(stem) > 1

const containsVowel = (stem: string): boolean => [...stem].some((_, i) => !isConsonant(stem, i))

const endsDoubleConsonant = (word: string): boolean =>
  word.length >= 2 && word.at(-1) === word.at(-2) && isConsonant(word, word.length - 1)

/** Condition *o: the stem ends consonant-vowel-consonant, the last not w, x or y (or, in NLTK, is vowel-consonant). */
const endsCvc = (word: string): boolean => {
  const n = word.length
  if (n === 2) return !isConsonant(word, 0) && isConsonant(word, 1)
  return (
    n >= 3 &&
    isConsonant(word, n - 3) &&
    !isConsonant(word, n - 2) &&
    isConsonant(word, n - 1) &&
    !["w", "x", "y"].includes(word[n - 1]!)
  )
}

type Rule = readonly [suffix: string, replacement: string, condition?: (stem: string) => boolean]

/** The first rule whose suffix matches decides: it applies if its condition holds, and no later rule is tried. */
const applyFirstMatching = (word: string, rules: ReadonlyArray<Rule>): string => {
  for (const [suffix, replacement, condition] of rules) {
    if (!word.endsWith(suffix)) continue
    const stem = word.slice(0, word.length - suffix.length)
    return condition === undefined || condition(stem) ? stem + replacement : word
  }
  return word
}

const step1a = (word: string): string => {
  if (word.length === 4 && word.endsWith("ies")) return word.slice(0, -1)
  return applyFirstMatching(word, [["sses", "ss"], ["ies", "i"], ["ss", "ss"], ["s", ""]])
}

const step1b = (word: string): string => {
  if (word.endsWith("ied")) return word.slice(0, -3) + (word.length === 4 ? "ie" : "i")
  if (word.endsWith("eed")) return positiveMeasure(word.slice(0, -3)) ? word.slice(0, -1) : word
  const suffix = ["ed", "ing"].find((s) => word.endsWith(s) && containsVowel(word.slice(0, -s.length)))
  if (suffix === undefined) return word
  const stem = word.slice(0, -suffix.length)
  // The e put back on -at, -bl, -iz lets steps 2-4 see -ate, -ble, -ize.
  if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) return `${stem}e`
  if (endsDoubleConsonant(stem)) return ["l", "s", "z"].includes(stem.at(-1)!) ? stem : stem.slice(0, -1)
  return measure(stem) === 1 && endsCvc(stem) ? `${stem}e` : stem
}

const step1c = (word: string): string =>
  applyFirstMatching(word, [["y", "i", (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]])

const step2Rules: ReadonlyArray<Rule> = [
  ...(
    [
      ["ational", "ate"],
      ["tional", "tion"],
      ["enci", "ence"],
      ["anci", "ance"],
      ["izer", "ize"],
      ["bli", "ble"],
      ["alli", "al"],
      ["entli", "ent"],
      ["eli", "e"],
      ["ousli", "ous"],
      ["ization", "ize"],
      ["ation", "ate"],
      ["ator", "ate"],
      ["alism", "al"],
      ["iveness", "ive"],
      ["fulness", "ful"],
      ["ousness", "ous"],
      ["aliti", "al"],
      ["iviti", "ive"],
      ["biliti", "ble"],
      ["fulli", "ful"],
    ] as const
  ).map(([suffix, replacement]): Rule => [suffix, replacement, positiveMeasure]),
  // The stem measured for -logi keeps its l, so that geo-logi and theo-logi qualify.
  ["logi", "log", (stem) => positiveMeasure(`${stem}l`)],
]

const step2 = (word: string): string => {
  if (word.endsWith("alli") && positiveMeasure(word.slice(0, -4))) return step2(word.slice(0, -2))
  return applyFirstMatching(word, step2Rules)
}

const step3Rules: ReadonlyArray<Rule> = (
  [
    ["icate", "ic"],
    ["ative", ""],
    ["alize", "al"],
    ["iciti", "ic"],
    ["ical", "ic"],
    ["ful", ""],
    ["ness", ""],
  ] as const
).map(([suffix, replacement]): Rule => [suffix, replacement, positiveMeasure])

const step4Rules: ReadonlyArray<Rule> = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"].map(
  (suffix): Rule =>
    suffix === "ion"
      ? [suffix, "", (stem) => measureAboveOne(stem) && (stem.endsWith("s") || stem.endsWith("t"))]
      : [suffix, "", measureAboveOne],
)

const step5a = (word: string): string => {
  if (!word.endsWith("e")) return word
  const stem = word.slice(0, -1)
  const m = measure(stem)
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : word
}

const step5b = (word: string): string => (word.endsWith("ll") && measureAboveOne(word.slice(0, -1)) ? word.slice(0, -1) : word)

/** The stem of `word` (lowercased first), as NLTK's `PorterStemmer().stem(word)`. */
export const porterStem = (word: string): string => {
  const lower = word.toLowerCase()
  const irregular = irregularForms.get(word)
  if (irregular !== undefined) return irregular
  if (lower.length <= 2) return lower
  return [step1a, step1b, step1c, step2, (w: string) => applyFirstMatching(w, step3Rules), (w: string) => applyFirstMatching(w, step4Rules), step5a, step5b].reduce(
    (w, step) => step(w),
    lower,
  )
}
