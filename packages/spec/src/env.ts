// `${VAR}` and `${VAR:-default}` in string values, expanded on the parsed tree (not the text)
// so that positions stay true. Each expanded field records where its variables' values came
// from, so a later "no file at ..." can say which variable to set.
import type { FieldIssue } from "./errors.ts"
import { type Path, renderPath } from "./path.ts"

/** Documented defaults, used when the variable is unset and the spec gives no `:-default`. */
export const envDefaults: Readonly<Record<string, string>> = {
  PEFTLAB_DATA: "data",
  PEFTLAB_MODELS: "models",
}

export type Env = Readonly<Record<string, string | undefined>>

export interface VariableUse {
  readonly name: string
  /** "env" when the environment set it; "default" when `:-default` or `envDefaults` did. */
  readonly source: "env" | "default"
  readonly value: string
}

export interface ExpandedField {
  /** The text as written in the spec, e.g. `${PEFTLAB_DATA}/pubmedqa/ori_pqal.json`. */
  readonly template: string
  readonly value: string
  readonly uses: ReadonlyArray<VariableUse>
}

/** Expanded fields keyed by rendered path (`data.path`). */
export type ExpandedFields = ReadonlyMap<string, ExpandedField>

export interface Expansion {
  readonly tree: unknown
  readonly fields: ExpandedFields
  readonly issues: ReadonlyArray<FieldIssue>
}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

export const expandVariables = (tree: unknown, env: Env): Expansion => {
  const fields = new Map<string, ExpandedField>()
  const issues: Array<FieldIssue> = []

  const expandString = (template: string, path: Path): string => {
    const uses: Array<VariableUse> = []
    const value = template.replace(reference, (whole, name: string, inline: string | undefined) => {
      const set = env[name]
      // Like the shell's `:-`, an empty variable counts as unset.
      if (set !== undefined && set !== "") {
        uses.push({ name, source: "env", value: set })
        return set
      }
      const fallback = inline ?? envDefaults[name]
      if (fallback !== undefined) {
        uses.push({ name, source: "default", value: fallback })
        return fallback
      }
      issues.push({
        path,
        expected: `environment variable ${name} to be set (or a default, as in \${${name}:-value})`,
        found: JSON.stringify(template),
      })
      return whole
    })
    if (uses.length > 0) fields.set(renderPath(path), { template, value, uses })
    return value
  }

  const expand = (node: unknown, path: Path): unknown => {
    if (typeof node === "string") return expandString(node, path)
    if (Array.isArray(node)) return node.map((item, index) => expand(item, [...path, index]))
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, expand(value, [...path, key])]))
    }
    return node
  }

  return { tree: expand(tree, []), fields, issues }
}
