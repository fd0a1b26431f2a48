// `--set field=value` on the command line: a field of the spec replaced before decoding, so a
// study spec runs unchanged on a stand-in (`--set model.path=/tmp/tiny-flan-t5`) and every value
// is checked as if it were written in the file. Values are YAML (`--set data.limit.test=12`).
import { parse } from "yaml"
import type { SpecIssue } from "./errors.ts"

export interface Override {
  readonly path: ReadonlyArray<string>
  readonly value: unknown
}

export const isOverride = (parsed: Override | SpecIssue): parsed is Override => Array.isArray(parsed.path)

/** `data.limit.test=12` -> { path: ["data", "limit", "test"], value: 12 }, or a problem to report. */
export const parseOverride = (text: string): Override | SpecIssue => {
  const at = text.indexOf("=")
  const path = at > 0 ? text.slice(0, at).split(".") : []
  if (at <= 0 || path.some((key) => key === "")) {
    return { path: "--set", expected: "field.path=value (e.g. model.path=/models/tiny)", found: JSON.stringify(text) }
  }
  try {
    return { path, value: parse(text.slice(at + 1)) }
  } catch (cause) {
    return { path: "--set", expected: "a YAML value after =", found: JSON.stringify(text), message: String(cause) }
  }
}

const isMapping = (next: unknown): boolean => typeof next === "object" && next !== null && !Array.isArray(next)

const isListIndex = (node: unknown, key: string): boolean => Array.isArray(node) && /^\d+$/.test(key) && Number(key) < node.length

/**
 * Overrides whose path goes through a list by something other than one of its indexes
 * (`arms.7.r` on five arms): setting them would replace the whole list with a mapping.
 */
export const overrideIssues = (tree: unknown, overrides: ReadonlyArray<Override>): Array<SpecIssue> =>
  overrides.flatMap(({ path }) => {
    let node = tree
    for (const [i, key] of path.slice(0, -1).entries()) {
      const next = (node as Record<string, unknown> | null | undefined)?.[key]
      const index = path[i + 1] as string
      if (Array.isArray(next) && !isListIndex(next, index)) {
        const list = path.slice(0, i + 1).join(".")
        return [{
          path: "--set",
          expected: `an index of ${list}`,
          found: JSON.stringify(path.join(".")),
          message: `--set ${path.join(".")}: ${list} is a list of ${next.length} (indexes 0 to ${next.length - 1}), which has no ${JSON.stringify(index)}`,
        }]
      }
      if (!isMapping(next) && !Array.isArray(next)) return []
      node = next
    }
    return []
  })

/** The tree with each override set, creating the mappings on its path; `arms.2.r` reaches into a list. */
export const applyOverrides = (tree: unknown, overrides: ReadonlyArray<Override>): unknown => {
  const root = structuredClone(tree) as Record<string, unknown>
  for (const { path, value } of overrides) {
    let node = root
    for (const [i, key] of path.slice(0, -1).entries()) {
      const next = node[key]
      const keep = isMapping(next) || isListIndex(next, path[i + 1] as string)
      node = (keep ? next : (node[key] = {})) as Record<string, unknown>
    }
    node[path.at(-1) as string] = value
  }
  return root
}
