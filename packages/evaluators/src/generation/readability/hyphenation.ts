// Liang's hyphenation (Frank Liang 1983, "Word Hy-phen-a-tion by Com-put-er", Stanford thesis)
// over a Hunspell/LibreOffice `hyph_*.dic` pattern file, as pyphen reads and applies it: textstat
// counts the syllables of a word it cannot find in CMUdict as pyphen's hyphenation points + 1, so
// readability grades match textstat's only if these points match pyphen's exactly.
import { readFileSync } from "node:fs"

/** A word's hyphenation points: indices into its code points where a hyphen may go. */
export type Hyphenator = (word: string) => ReadonlyArray<number>

interface Pattern {
  /** Index in the dotted word, relative to the pattern's first letter, of `values[0]`. */
  readonly offset: number
  readonly values: ReadonlyArray<number>
}

// Lines pyphen skips: comments and the header's settings (their minimum lengths are not used;
// pyphen's own left = 2, right = 2 apply, as textstat leaves them).
const ignored = ["%", "#", "LEFTHYPHENMIN", "RIGHTHYPHENMIN", "COMPOUNDLEFTHYPHENMIN", "COMPOUNDRIGHTHYPHENMIN"]

/** Patterns by their letters (a later duplicate replaces an earlier one, as in pyphen's dict). */
export const parsePatterns = (text: string): Map<string, Pattern> => {
  const patterns = new Map<string, Pattern>()
  // The first line names the encoding; peftlab reads only UTF-8 files.
  const [encoding, ...lines] = text.split("\n")
  if (encoding?.trim().toUpperCase() !== "UTF-8") throw new Error(`hyphenation patterns: expected a UTF-8 file, the first line says ${JSON.stringify(encoding)}`)
  for (const raw of lines) {
    const line = raw.trim().replace(/\^\^([0-9a-f]{2})/g, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    if (line === "" || ignored.some((prefix) => line.startsWith(prefix))) continue
    if (line.includes("/") && line.includes("=")) throw new Error(`hyphenation patterns: nonstandard hyphenation (${line}) is not supported`)
    // A digit before a letter is that position's value; a trailing digit is the value after the last letter.
    const letters: Array<string> = []
    const values: Array<number> = []
    let pending = 0
    for (const char of line) {
      if (char >= "0" && char <= "9") pending = Number(char)
      else {
        values.push(pending)
        letters.push(char)
        pending = 0
      }
    }
    values.push(pending)
    if (Math.max(...values) === 0) continue
    let start = 0
    let end = values.length
    while (values[start] === 0) start++
    while (values[end - 1] === 0) end--
    patterns.set(letters.join(""), { offset: start, values: values.slice(start, end) })
  }
  return patterns
}

/**
 * pyphen's `Pyphen(...).positions(word)`: the word lowercased and wrapped in dots, every
 * substring that is a pattern raising the values between letters to its own, odd values
 * marking hyphenation points, and points fewer than `left` code points from the start or
 * `right` from the end dropped.
 */
export const makeHyphenator = (patterns: ReadonlyMap<string, Pattern>, left = 2, right = 2): Hyphenator => {
  let maxLength = 0
  for (const key of patterns.keys()) maxLength = Math.max(maxLength, Array.from(key).length)
  const cache = new Map<string, ReadonlyArray<number>>()
  const points = (lower: string): ReadonlyArray<number> => {
    const dotted = Array.from(`.${lower}.`)
    const references = new Array<number>(dotted.length + 1).fill(0)
    for (let i = 0; i < dotted.length - 1; i++) {
      const stop = Math.min(i + maxLength, dotted.length)
      for (let j = i + 1; j <= stop; j++) {
        const pattern = patterns.get(dotted.slice(i, j).join(""))
        if (pattern === undefined) continue
        pattern.values.forEach((value, k) => {
          const at = i + pattern.offset + k
          if (at < references.length) references[at] = Math.max(references[at]!, value)
        })
      }
    }
    return references.flatMap((value, i) => (value % 2 === 1 ? [i - 1] : []))
  }
  return (word) => {
    const lower = word.toLowerCase()
    let found = cache.get(lower)
    if (found === undefined) cache.set(lower, (found = points(lower)))
    const last = Array.from(word).length - right
    return found.filter((i) => left <= i && i <= last)
  }
}

/** A hyphenator over a `hyph_*.dic` file. */
export const loadHyphenator = (path: string | URL): Hyphenator => makeHyphenator(parsePatterns(readFileSync(path, "utf8")))
