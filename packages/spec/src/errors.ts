// One SpecError per failed load or check, carrying every issue found so the user can fix
// them all in one go. It is an InputError (the CLI prints `detail` and exits with code 2).
import { InputErrorTypeId } from "@peftlab/core"
import { Data } from "effect"
import type { Path } from "./path.ts"

export interface SpecIssue {
  /** The field, rendered like `arms[1].num_virtual_tokens`; "" for the file as a whole. */
  readonly path: string
  /** What the field should hold, e.g. "a positive integer". */
  readonly expected: string
  /** What it holds, as JSON (`"eight"`, `0`), or `nothing` when the key is missing. */
  readonly found: string
  /** Replaces "expected ..., got ..." when the problem reads better in its own words. */
  readonly message?: string
  readonly line?: number
  readonly column?: number
}

export const formatIssue = (issue: SpecIssue): string => {
  const what = issue.message ?? `expected ${issue.expected}, got ${issue.found}`
  const where = issue.line === undefined ? "" : ` (line ${issue.line}:${issue.column ?? 1})`
  return `${issue.path === "" ? "" : `${issue.path}: `}${what}${where}`
}

/** The `found` text for a value: JSON, shortened; `nothing` for a missing key. */
export const renderFound = (value: unknown): string => {
  if (value === undefined) return "nothing"
  const json = JSON.stringify(value)
  return json.length > 80 ? `${json.slice(0, 77)}...` : json
}

export class SpecError extends Data.TaggedError("SpecError")<{
  readonly source: string
  readonly detail: string
  readonly issues: ReadonlyArray<SpecIssue>
}> {
  readonly [InputErrorTypeId] = true

  /** An error listing `issues` in file order, one per line. */
  static fromIssues(source: string, issues: ReadonlyArray<SpecIssue>): SpecError {
    const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
    return new SpecError({ source, detail: sorted.map(formatIssue).join("\n"), issues: sorted })
  }

  override get message(): string {
    return `${this.source}:${this.issues.length === 1 ? " " : "\n"}${this.detail}`
  }
}

/** An issue before it is placed in the file: `path` as segments, `at: "key"` for unknown keys. */
export interface FieldIssue {
  readonly path: Path
  readonly expected: string
  readonly found: string
  readonly message?: string
  readonly at?: "key"
}
