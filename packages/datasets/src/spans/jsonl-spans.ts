// JSONL with character spans: one sentence per line, e.g.
// {"id": "s1", "text": "Start aspirin daily.", "entities": [{"start": 6, "end": 13, "type": "drug"}]}
import { Effect, Exit, Schema, SchemaIssue } from "effect"
import type { DataFileError } from "../data-file-error.ts"
import type { LoadReport } from "../example.ts"
import { collectRows, malformed, type Malformed } from "../files/malformed-rows.ts"
import { readText } from "../files/read-text.ts"
import { compareSpans, type SpanSentence } from "./span-sentence.ts"

/** Names of the keys that hold each part of a record; `id` is optional in the file. */
export interface JsonlSpanFields {
  readonly id: string
  readonly text: string
  readonly entities: string
  readonly start: string
  readonly end: string
  readonly type: string
}

export interface JsonlSpanOptions {
  readonly fields?: Partial<JsonlSpanFields>
  /** Drop malformed lines and count them by reason, instead of failing. Default false. */
  readonly skipMalformed?: boolean
}

const defaultFields: JsonlSpanFields = { id: "id", text: "text", entities: "entities", start: "start", end: "end", type: "type" }

const recordSchema = (fields: JsonlSpanFields) => {
  const Entity = Schema.Struct({ start: Schema.Int, end: Schema.Int, type: Schema.String }).pipe(
    Schema.encodeKeys({ start: fields.start, end: fields.end, type: fields.type }),
  )
  return Schema.Struct({
    id: Schema.optional(Schema.Union([Schema.String, Schema.Number])),
    text: Schema.String,
    entities: Schema.Array(Entity),
  }).pipe(Schema.encodeKeys({ id: fields.id, text: fields.text, entities: fields.entities }))
}

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** `line 3, field "entities"[0]["start"]: Expected an integer, got 0.5`. */
const describeIssue = (line: number, error: Schema.SchemaError): string => {
  const first = formatIssue(error.issue).issues[0]
  const [key, ...rest] = first?.path ?? []
  const where = key === undefined ? "" : `, field ${JSON.stringify(key)}${rest.map((p) => `[${JSON.stringify(p)}]`).join("")}`
  return `line ${line}${where}: ${first?.message ?? String(error)}`
}

const parseJson = (text: string): { readonly value: unknown } | { readonly error: string } => {
  try {
    return { value: JSON.parse(text) as unknown }
  } catch (e) {
    return { error: (e as Error).message }
  }
}

/** Parses one non-blank line into a sentence, or says why it cannot. */
const lineParser = (fields: JsonlSpanFields) => {
  const decode = Schema.decodeUnknownExit(recordSchema(fields))
  return (text: string, line: number): SpanSentence | Malformed => {
    const json = parseJson(text)
    if ("error" in json) return malformed("invalid JSON", `line ${line}: invalid JSON: ${json.error}`)
    const decoded = decode(json.value, { reportInput: true })
    if (Exit.isFailure(decoded)) {
      const error = decoded.cause.reasons.find((r) => r._tag === "Fail")?.error
      return malformed("wrong fields", error ? describeIssue(line, error) : `line ${line}: ${String(decoded.cause)}`)
    }
    const record = decoded.value
    const length = record.text.length
    const outside = record.entities.findIndex((e) => !(e.start >= 0 && e.start < e.end && e.end <= length))
    if (outside >= 0) {
      const { start, end } = record.entities[outside]!
      const where = `${JSON.stringify(fields.entities)}[${outside}]`
      return malformed("span outside the text", `line ${line}, field ${where}: expected 0 <= start < end <= ${length} (the text's length), got start ${start}, end ${end}`)
    }
    return {
      id: record.id === undefined ? String(line) : String(record.id),
      text: record.text,
      entities: [...record.entities].sort(compareSpans),
    }
  }
}

/**
 * Reads JSONL sentences with character-offset entities (`[start, end)` as JavaScript string
 * indices, which are Python's too unless the text has characters outside the BMP). Blank
 * lines are skipped; a sentence without an id gets its line number. Invalid JSON, missing or
 * mistyped fields and spans outside the text fail with a DataFileError naming the line, or
 * with `skipMalformed` are dropped under "invalid JSON", "wrong fields", "span outside the text".
 */
export const loadJsonlSpans = (
  path: string,
  options: JsonlSpanOptions = {},
): Effect.Effect<{ sentences: Array<SpanSentence>; report: LoadReport }, DataFileError> =>
  Effect.gen(function* () {
    const parseLine = lineParser({ ...defaultFields, ...options.fields })
    const lines = (yield* readText(path)).split(/\r?\n/)
    const parsed = lines.flatMap((text, i) => (text.trim() === "" ? [] : [parseLine(text, i + 1)]))
    const { rows, read, dropped } = yield* collectRows(path, parsed, options.skipMalformed ?? false)
    return { sentences: rows, report: { source: path, read, kept: rows.length, dropped } }
  })
