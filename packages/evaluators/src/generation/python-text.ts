// Text operations spelled the way the Python references (sacreBLEU, SQuAD's evaluate-v1.1.py, bert-score) run
// them, where JavaScript's built-ins differ.

// str.split() with no argument splits on runs of the characters str.isspace() accepts; JavaScript's
// \s adds U+FEFF and lacks U+001C-U+001F and U+0085.
const pythonWhitespace = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

const pythonEdges = new RegExp(`^${pythonWhitespace.source}|${pythonWhitespace.source}$`, "g")

/** Python's `text.strip()`: the text without the whitespace str.isspace() accepts at either end. */
export const stripPython = (text: string): string => text.replace(pythonEdges, "")

/** Python's `text.split()`: the non-empty runs between whitespace. */
export const splitOnWhitespace = (text: string): string[] => text.split(pythonWhitespace).filter((token) => token.length > 0)
