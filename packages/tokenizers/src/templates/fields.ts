// `{name}` placeholders shared by every template kind: filling them and checking a request.

const PLACEHOLDER = /\{(\w+)\}/g

/** Replaces each `{name}` with its field value; values are inserted literally, never re-scanned. */
export const fillFields = (template: string, fields: Readonly<Record<string, string>>): string =>
  template.replace(PLACEHOLDER, (_, name: string) => fields[name] ?? "")

/**
 * What is wrong with filling `templates` from `fields` and shortening `truncateField` to fit
 * `maxLength - reserve` tokens, or undefined when nothing is.
 */
export const fieldsProblem = (
  templates: ReadonlyArray<string>,
  fields: Readonly<Record<string, string>>,
  truncateField: string,
  maxLength: number,
  reserve: number,
): string | undefined => {
  const names = templates.flatMap((template) => [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ""))
  const missing = [...new Set(names.filter((name) => fields[name] === undefined))]
  if (missing.length > 0) return `no value for {${missing.join("}, {")}}; fields given: ${Object.keys(fields).join(", ") || "none"}`
  if (!names.includes(truncateField)) return `truncateField "${truncateField}" is not a placeholder in the template`
  if (!Number.isInteger(maxLength) || !Number.isInteger(reserve) || reserve < 0 || maxLength - reserve < 1) {
    return `expected integers maxLength > reserve >= 0, got maxLength ${maxLength}, reserve ${reserve}`
  }
  return undefined
}
