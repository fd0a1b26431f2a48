// JSON Lines: one JSON object per line; blank lines are skipped.
import { jsonErrorOffset } from "../files/json-error-offset.ts"
import { jsonErrorReason } from "../files/json-file.ts"
import { malformed, type Malformed } from "../files/malformed-rows.ts"
import type { SourceRecord } from "./source-record.ts"

const describeJson = (json: unknown): string => (Array.isArray(json) ? "an array" : json === null ? "null" : `a ${typeof json}`)

const parseLine = (text: string, line: number): SourceRecord | Malformed => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    const column = (jsonErrorOffset(text) ?? 0) + 1
    return malformed("invalid JSON", `line ${line}, column ${column}: invalid JSON: ${jsonErrorReason(e)}`)
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return malformed("not a JSON object", `line ${line}: expected a JSON object, got ${describeJson(json)}`)
  }
  return { line, values: json as Record<string, unknown> }
}

/** One record (or Malformed) per non-blank line, in order. */
export const jsonlRecords = (text: string): Array<SourceRecord | Malformed> =>
  text.split("\n").flatMap((raw, i) => {
    const lineText = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    return lineText.trim() === "" ? [] : [parseLine(lineText, i + 1)]
  })
