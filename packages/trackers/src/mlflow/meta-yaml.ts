// MLflow's file store describes each experiment and run in a flat meta.yaml (PyYAML's block style,
// keys sorted). Only flat maps of strings, whole numbers, null and the empty list are needed, so a
// few lines emit them and read back what PyYAML writes, with no YAML library.

export type MetaValue = string | number | null | readonly []

/** A flat YAML map, keys sorted as mlflow's write_yaml sorts them. Numbers must be whole. */
export const toMetaYaml = (meta: Readonly<Record<string, MetaValue>>): string =>
  Object.keys(meta)
    .sort()
    .map((key) => `${key}: ${scalar(meta[key]!)}\n`)
    .join("")

// Words YAML 1.1 (PyYAML) reads as booleans or null, in any case, so they must be quoted.
const reserved = new Set(["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"])

const scalar = (value: MetaValue): string => {
  if (value === null) return "null"
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`meta.yaml: ${value} is not a whole number`)
    return String(value)
  }
  if (typeof value !== "string") return "[]"
  // Plain when it cannot be read as anything else: starts with a letter, _ or /, no spaces or `: `.
  if (/^[A-Za-z_/][\w\-./:]*$/.test(value) && !value.endsWith(":") && !reserved.has(value.toLowerCase())) return value
  if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) return `'${value.replaceAll("'", "''")}'`
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
}

/**
 * Reads a flat meta.yaml as PyYAML writes it: `key: value` lines whose value is plain, '…' or "…",
 * possibly folded onto indented continuation lines. Every value comes back as text (null as null).
 */
export const parseMetaYaml = (text: string): ReadonlyMap<string, string | null> => {
  const entries = new Map<string, string | null>()
  let key: string | undefined
  let lines: Array<string> = []
  const flush = () => {
    if (key !== undefined) entries.set(key, value(lines))
  }
  for (const line of text.split(/\r?\n/)) {
    const start = /^([^\s'"#][^:]*):(?:\s(.*))?$/.exec(line)
    if (start) {
      flush()
      key = start[1]!
      lines = [start[2] ?? ""]
    } else if (key !== undefined) lines.push(line)
  }
  flush()
  return entries
}

const value = (lines: ReadonlyArray<string>): string | null => {
  const quote = lines.find((line) => line.trim() !== "")?.trim()[0]
  if (quote === "'") return fold(lines, false).slice(1, -1).replaceAll("''", "'")
  if (quote === '"') return unescape(fold(lines, true).slice(1, -1))
  const plain = fold(lines, false)
  return ["", "~", "null", "Null", "NULL"].includes(plain) ? null : plain
}

// YAML folding: a line break between text becomes a space, each empty line a newline, and in a
// double-quoted scalar a break after an unescaped `\` disappears.
const fold = (lines: ReadonlyArray<string>, doubleQuoted: boolean): string => {
  let out = ""
  let breaks = 0
  let joinNext = false
  for (const raw of lines) {
    let line = raw.trim()
    if (line === "") {
      breaks++
      continue
    }
    const separator = out === "" || joinNext ? "" : breaks > 0 ? "\n".repeat(breaks) : " "
    joinNext = doubleQuoted && /(?<!\\)(?:\\\\)*\\$/.test(line)
    if (joinNext) line = line.slice(0, -1)
    out += separator + line
    breaks = 0
  }
  return out
}

const escapes: Readonly<Record<string, string>> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029",
}

const unescape = (text: string): string =>
  text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (escapes[e] ?? e),
  )
