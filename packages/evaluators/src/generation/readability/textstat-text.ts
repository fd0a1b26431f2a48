// textstat's word and sentence rules (textstat 0.7.8, identical in 0.7.13: list_words,
// remove_punctuation, count_sentences), in Python's Unicode regex semantics: `\w` is a letter,
// number or underscore, and whitespace is what Python's str.split() splits on.

/** Python's `\w` for str patterns (str.isalnum() or "_"). */
const word = String.raw`[\p{L}\p{N}_]`
/** Python's `\s` and str.split()'s separators (str.isspace()): JavaScript's \s lacks \x1c-\x1f and \x85, and adds \ufeff. */
const space = String.raw`[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`

// An apostrophe not starting a contraction's ending ('t 's 'd 've 'll 're, case-sensitive) goes,
// then everything that is neither a word character, whitespace nor an apostrophe.
const nonContractionApostrophe = /'(?![tsd]|ve|ll|re)/g
const punctuation = new RegExp(`(?!${word}|${space}|')[^]`, "gu")
const whitespace = new RegExp(`${space}+`, "u")

/** textstat's `list_words(text)`: punctuation removed (contraction apostrophes kept), split on whitespace. */
export const listWords = (text: string): Array<string> =>
  text
    .replace(nonContractionApostrophe, "")
    .replace(punctuation, "")
    .split(whitespace)
    .filter((token) => token !== "")

// Python's `\b[^.!?]+[.!?]*` with re.UNICODE: \b is a change between word and non-word characters.
const sentencePiece = new RegExp(`(?:(?<!${word})(?=${word})|(?<=${word})(?!${word}))[^.!?]+[.!?]*`, "gu")

/** textstat's `re.findall(r"\b[^.!?]+[.!?]*", text)`: the pieces it counts sentences among. */
export const sentencePieces = (text: string): Array<string> => text.match(sentencePiece) ?? []

/**
 * textstat's `count_sentences`: the pieces above, less those of at most 2 words ("Yes.", "Dr.",
 * the "5 mg." after "3."), at least 1 for a non-empty text, 0 for "".
 */
export const countSentences = (text: string): number => {
  if (text.length === 0) return 0
  const pieces = sentencePieces(text)
  return Math.max(1, pieces.length - pieces.filter((piece) => listWords(piece).length <= 2).length)
}
