// Readability grades of generated text as textstat computes them (textstat 0.7.8 with pyphen
// 0.18.1 and cmudict 1.1.3, pinned in tools/references/requirements.txt; 0.7.13 has the same
// rules and takes CMUdict from nltk instead): Flesch-Kincaid grade level (Kincaid, Fishburne,
// Rogers and Chissom 1975, "Derivation of new readability formulas … for Navy enlisted
// personnel", RBR 8-75) and the SMOG index (McLaughlin 1969, "SMOG grading: a new readability
// formula", Journal of Reading 12(8):639-646). A word's syllables are its CMUdict count, else
// its hyphenation points under LibreOffice's hyph_en_US patterns (what pyphen ships) + 1.
// test/readability-textstat.test.ts checks both grades against textstat's own on fixed texts.
import { MetricInputError } from "@peftlab/stats"
import { loadSyllableTable } from "./readability/cmudict-syllables.ts"
import { loadHyphenator, type Hyphenator } from "./readability/hyphenation.ts"
import { countSentences, listWords } from "./readability/textstat-text.ts"

export { countSentences, listWords, sentencePieces } from "./readability/textstat-text.ts"

const assets = new URL("../../assets/readability/", import.meta.url)

// Read on first use (126 052 words, 11 130 patterns), not on import.
let dictionary: { readonly cmudict: ReadonlyMap<string, number>; readonly hyphenate: Hyphenator } | undefined
const syllableSources = () =>
  (dictionary ??= { cmudict: loadSyllableTable(new URL("cmudict-syllables.txt.gz", assets)), hyphenate: loadHyphenator(new URL("hyph_en_US.dic", assets)) })

/**
 * textstat's syllables of one word (a token of `listWords`): lowercased, its CMUdict count when
 * CMUdict has it, else pyphen's hyphenation points + 1 (so at least 1).
 */
export const countSyllables = (word: string): number => {
  const { cmudict, hyphenate } = syllableSources()
  const lower = word.toLowerCase()
  return cmudict.get(lower) ?? hyphenate(lower).length + 1
}

export interface Readability {
  /** textstat's sentence count (pieces of at most 2 words are not sentences; at least 1). */
  readonly sentences: number
  readonly words: number
  readonly syllables: number
  /** Words of 3 or more syllables. */
  readonly polysyllables: number
  /** 0.39 · words/sentences + 11.8 · syllables/words − 15.59 (0 when there are no syllables, as in textstat). */
  readonly fleschKincaidGrade: number
  /** 1.043 · √(30 · polysyllables/sentences) + 3.1291 (normed on 30-sentence samples; textstat applies it to any length). */
  readonly smogIndex: number
}

/** Counts and grades of one text; throws `MetricInputError` for a text with no words. */
export const readability = (text: string): Readability => {
  const words = listWords(text)
  if (words.length === 0) throw new MetricInputError({ source: "text", detail: `no words to grade in ${JSON.stringify(text.slice(0, 80))}` })
  const sentences = countSentences(text)
  const perWord = words.map(countSyllables)
  const syllables = perWord.reduce((s, n) => s + n, 0)
  const polysyllables = perWord.filter((n) => n >= 3).length
  const wordsPerSentence = words.length / sentences
  const syllablesPerWord = syllables / words.length
  return {
    sentences,
    words: words.length,
    syllables,
    polysyllables,
    // textstat's order of operations, so the doubles agree to the last bit where the counts do.
    fleschKincaidGrade: syllablesPerWord === 0 ? 0 : 0.39 * wordsPerSentence + 11.8 * syllablesPerWord - 15.59,
    smogIndex: 1.043 * Math.sqrt(30 * (polysyllables / sentences)) + 3.1291,
  }
}
