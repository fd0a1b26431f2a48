// Readability grades of generated text: Flesch-Kincaid grade level (Kincaid, Fishburne, Rogers and
// Chissom 1975, "Derivation of new readability formulas … for Navy enlisted personnel", RBR 8-75)
// and the SMOG index (McLaughlin 1969, "SMOG grading: a new readability formula", Journal of Reading
// 12(8):639-646). Syllables come from a stated heuristic, not a pronunciation dictionary, so grades
// can differ from textstat (which hyphenates with pyphen or looks words up in CMUdict).
import { MetricInputError } from "../metric-input-error.ts"

/**
 * Syllables of one word by heuristic: each run of letters (hyphenated parts count separately) of
 * up to 3 letters is 1 syllable; longer runs count their groups of consecutive vowels (a e i o u y)
 * after dropping a silent ending: a final "e" (not a consonant + "le", as in ta-ble), "es" (not after
 * c, g, s, x, z, ch, sh or a consonant + "l") and "ed" (not after t or d). At least 1 per word. It
 * errs on vowel pairs read as two syllables (cre-ate) and silent inner vowels (busi-ness).
 */
export const countSyllables = (word: string): number => {
  const parts = word.toLowerCase().match(/[a-z]+/g) ?? []
  return Math.max(1, parts.reduce((sum, part) => sum + partSyllables(part), 0))
}

const partSyllables = (part: string): number => {
  if (part.length <= 3) return 1
  return Math.max(1, withoutSilentEnding(part).match(/[aeiouy]+/g)?.length ?? 0)
}

const withoutSilentEnding = (part: string): string => {
  // A consonant other than l before "le"/"les"/"led" makes it a syllable: ta-ble, ta-bles, ta-bled (but called).
  if (/[^aeiouyl]l(?:e|es|ed)$/.test(part)) return part
  if (part.endsWith("es")) return /(?:[cgsxz]|[cs]h)es$/.test(part) ? part : part.slice(0, -2)
  if (/[^td]ed$/.test(part)) return part.slice(0, -2)
  if (/[^e]e$/.test(part)) return part.slice(0, -1)
  return part
}

/**
 * Sentences: the text split after each run of . ! ? (with any closing quotes or brackets) that is
 * followed by whitespace; text without final punctuation still ends a sentence. Abbreviations
 * ("Dr. Smith") end a sentence too. Pieces without a word are dropped.
 */
export const splitSentences = (text: string): string[] => text.split(/(?<=[.!?]["'”’)\]]*)\s+/u).filter((s) => words(s).length > 0)

/** Whitespace-separated tokens with at least one letter or digit, stripped of surrounding punctuation. */
const words = (text: string): string[] =>
  text
    .split(/\s+/u)
    .map((token) => token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""))
    .filter((token) => token.length > 0)

export interface Readability {
  readonly sentences: number
  readonly words: number
  readonly syllables: number
  /** Words of 3 or more syllables. */
  readonly polysyllables: number
  /** 0.39 · words/sentences + 11.8 · syllables/words − 15.59. */
  readonly fleschKincaidGrade: number
  /** 1.0430 · √(polysyllables · 30/sentences) + 3.1291 (normed on 30-sentence samples). */
  readonly smogIndex: number
}

/** Counts and grades of one text; throws `MetricInputError` for a text with no words. */
export const readability = (text: string): Readability => {
  const tokens = words(text)
  if (tokens.length === 0) throw new MetricInputError({ source: "text", detail: `no words to grade in ${JSON.stringify(text.slice(0, 80))}` })
  const sentences = Math.max(1, splitSentences(text).length)
  const perWord = tokens.map(countSyllables)
  const syllables = perWord.reduce((s, n) => s + n, 0)
  const polysyllables = perWord.filter((n) => n >= 3).length
  return {
    sentences,
    words: tokens.length,
    syllables,
    polysyllables,
    fleschKincaidGrade: 0.39 * (tokens.length / sentences) + 11.8 * (syllables / tokens.length) - 15.59,
    smogIndex: 1.043 * Math.sqrt((polysyllables * 30) / sentences) + 3.1291,
  }
}
