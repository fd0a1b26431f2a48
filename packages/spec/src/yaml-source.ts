// Parses spec text with positions: the plain tree to decode, plus the line:column of every
// key and value by field path, so any issue about a path can point into the file.
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml"
import type { SpecIssue } from "./errors.ts"
import { type Path, type PathSegment, renderPath } from "./path.ts"

export interface Position {
  readonly line: number
  readonly column: number
}

/** Where a field's value starts and, for mapping entries, where its key starts. */
export interface FieldLocation {
  readonly value: Position
  readonly key?: Position
}

/** Field locations keyed by rendered path (`arms[1].name`; "" is the whole document). */
export type Locations = ReadonlyMap<string, FieldLocation>

export interface YamlSource {
  readonly tree: unknown
  readonly locations: Locations
  readonly syntaxIssues: ReadonlyArray<SpecIssue>
}

interface Ranged {
  readonly range?: readonly [number, number, number] | null | undefined
}

export const parseYaml = (text: string): YamlSource => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const syntaxIssues = doc.errors.map(
    (error): SpecIssue => ({
      path: "",
      expected: "valid YAML",
      found: error.code,
      // yaml appends "at line L, column C:" and a code excerpt; the position is reported our way.
      message: `YAML syntax error: ${error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "")}`,
      ...at(error.pos[0]),
    }),
  )
  const locations = new Map<string, FieldLocation>()
  const visit = (node: unknown, path: Path, key?: Position): void => {
    const start = (node as Ranged | null)?.range?.[0]
    const value = start === undefined ? key ?? at(0) : at(start)
    locations.set(renderPath(path), key === undefined ? { value } : { value, key })
    if (isMap(node)) {
      for (const pair of node.items) {
        const name: PathSegment = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        const keyStart = (pair.key as Ranged | null)?.range?.[0]
        visit(pair.value, [...path, name], keyStart === undefined ? value : at(keyStart))
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]))
    }
  }
  visit(doc.contents, [])
  // A document with syntax errors has no trustworthy tree to decode.
  if (syntaxIssues.length > 0) return { tree: undefined, locations, syntaxIssues }
  return { ...plainTree(doc, at(0)), locations }
}

/**
 * The document as plain values. yaml refuses to expand aliases past its budget (an "alias
 * bomb", a few lines that expand to gigabytes) with a ReferenceError: that is an issue of the file.
 */
const plainTree = (doc: ReturnType<typeof parseDocument>, start: Position): Pick<YamlSource, "tree" | "syntaxIssues"> => {
  try {
    return { tree: doc.toJS(), syntaxIssues: [] }
  } catch (cause) {
    if (!(cause instanceof ReferenceError)) throw cause
    const message = `YAML aliases expand too far (${cause.message}); write the values out, or use fewer aliases (*name)`
    return { tree: undefined, syntaxIssues: [{ path: "", expected: "valid YAML", found: "aliases", message, ...start }] }
  }
}

/**
 * The position of a path's value (or key), else of its nearest ancestor that exists:
 * a missing key points at the mapping that should hold it.
 */
export const locate = (locations: Locations, path: Path, anchor: "value" | "key" = "value"): Position | undefined => {
  for (let length = path.length; length >= 0; length--) {
    const found = locations.get(renderPath(path.slice(0, length)))
    if (found !== undefined) return (length === path.length && anchor === "key" ? found.key : undefined) ?? found.value
  }
  return undefined
}
