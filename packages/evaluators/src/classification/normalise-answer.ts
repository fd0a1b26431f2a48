// Generated answers to labels: a classifier read from generated text ("Yes.", " no,", "YES it
// does") takes the first word, case and punctuation aside, and matches it against each label
// and its verbalizer. Anything else names no label and is scored as wrong.

/** The first word of `text`, lower-cased, without surrounding punctuation; "" when there is none. */
export const firstWord = (text: string): string => text.trim().toLowerCase().match(/[\p{L}\p{N}]+/u)?.[0] ?? ""

/**
 * The label whose name or verbalizer has the same first word as `text`, or undefined.
 * `verbalizers` maps label to its verbalizer text (e.g. yes -> " yes").
 */
export const normaliseAnswer = (text: string, labels: ReadonlyArray<string>, verbalizers: Readonly<Record<string, string>> = {}): string | undefined => {
  const word = firstWord(text)
  if (word === "") return undefined
  return labels.find((label) => firstWord(label) === word || firstWord(verbalizers[label] ?? "") === word)
}
