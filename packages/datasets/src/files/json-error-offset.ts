// Node's JSON.parse names the offending token but often not where it is. This scanner
// re-reads text that JSON.parse rejected and finds the offset of the first syntax error,
// so a bad data file can be reported as `line:column`.

class SyntaxAt {
  readonly offset: number
  constructor(offset: number) {
    this.offset = offset
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const LITERAL = /true|false|null/y
const SIMPLE_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"])
const HEX4 = /^[0-9a-fA-F]{4}$/

const skipSpace = (text: string, pos: number): number => {
  while (pos < text.length && " \t\n\r".includes(text.charAt(pos))) pos++
  return pos
}

const stickyEnd = (pattern: RegExp, text: string, pos: number): number | undefined => {
  pattern.lastIndex = pos
  return pattern.test(text) ? pattern.lastIndex : undefined
}

/** `pos` is at the opening quote; returns the offset after the closing one. */
const stringEnd = (text: string, pos: number): number => {
  if (text[pos] !== '"') throw new SyntaxAt(pos)
  let i = pos + 1
  while (i < text.length) {
    const c = text.charAt(i)
    if (c === '"') return i + 1
    if (c < " ") throw new SyntaxAt(i)
    if (c !== "\\") i += 1
    else if (SIMPLE_ESCAPES.has(text.charAt(i + 1))) i += 2
    else if (text.charAt(i + 1) === "u" && HEX4.test(text.slice(i + 2, i + 6))) i += 6
    else throw new SyntaxAt(i)
  }
  throw new SyntaxAt(i)
}

/** Comma-separated items up to `close`; returns the offset after `close`. */
const itemsEnd = (text: string, start: number, close: string, item: (pos: number) => number): number => {
  let pos = skipSpace(text, start)
  if (text[pos] === close) return pos + 1
  for (;;) {
    pos = skipSpace(text, item(pos))
    if (text[pos] === close) return pos + 1
    if (text[pos] !== ",") throw new SyntaxAt(pos)
    pos = skipSpace(text, pos + 1)
  }
}

const memberEnd = (text: string, pos: number): number => {
  const colon = skipSpace(text, stringEnd(text, pos))
  if (text[colon] !== ":") throw new SyntaxAt(colon)
  return valueEnd(text, colon + 1)
}

const valueEnd = (text: string, start: number): number => {
  const pos = skipSpace(text, start)
  const c = text[pos]
  if (c === "{") return itemsEnd(text, pos + 1, "}", (p) => memberEnd(text, p))
  if (c === "[") return itemsEnd(text, pos + 1, "]", (p) => valueEnd(text, p))
  if (c === '"') return stringEnd(text, pos)
  const end = stickyEnd(NUMBER, text, pos) ?? stickyEnd(LITERAL, text, pos)
  if (end === undefined) throw new SyntaxAt(pos)
  return end
}

/** Offset of the first JSON syntax error in `text`, or undefined when it is valid JSON. */
export const jsonErrorOffset = (text: string): number | undefined => {
  try {
    const end = skipSpace(text, valueEnd(text, 0))
    return end === text.length ? undefined : end
  } catch (e) {
    if (e instanceof SyntaxAt) return e.offset
    throw e
  }
}

/** 1-based `line L, column C` of an offset. */
export const lineColumn = (text: string, offset: number): string => {
  const before = text.slice(0, offset)
  const line = before.split("\n").length
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`
}
