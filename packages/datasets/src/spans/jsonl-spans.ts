// JSONL with character spans: one sentence (or document) per line, e.g.
// {"id": "s1", "text": "Start aspirin daily.", "entities": [{"start": 6, "end": 13, "type": "drug"}]}
// and, optionally, relations between its entities in the n2c2 2018 drug-ADE shape: entities
// carry ids, each relation names its type and its head and tail entities by id:
// {"id": "d1", "text": "Aspirin caused bleeding.",
//  "entities": [{"id": "T1", "start": 0, "end": 7, "type": "Drug"}, {"id": "T2", "start": 15, "end": 23, "type": "ADE"}],
//  "relations": [{"type": "ADE-Drug", "head": "T1", "tail": "T2"}]}
import { Effect, Exit, Schema, SchemaIssue } from "effect"
import type { DataFileError } from "../data-file-error.ts"
import type { LoadReport } from "../example.ts"
import { collectRows, malformed, type Malformed } from "../files/malformed-rows.ts"
import { readText } from "../files/read-text.ts"
import { compareRelations, compareSpans, type EntityRelation, type EntitySpan, type SpanSentence } from "./span-sentence.ts"

/** Names of the keys that hold each part of a record; `id` is optional in the file. */
export interface JsonlSpanFields {
  readonly id: string
  readonly text: string
  readonly entities: string
  readonly start: string
  readonly end: string
  readonly type: string
  /** An entity's id, which relations name (optional unless the line has relations). */
  readonly entityId: string
  readonly relations: string
  /** A relation's head and tail entity ids; its type is under `type`. */
  readonly head: string
  readonly tail: string
}

export interface JsonlSpanOptions {
  readonly fields?: Partial<JsonlSpanFields>
  /** Drop malformed lines and count them by reason, instead of failing. Default false. */
  readonly skipMalformed?: boolean
}

const defaultFields: JsonlSpanFields = {
  id: "id",
  text: "text",
  entities: "entities",
  start: "start",
  end: "end",
  type: "type",
  entityId: "id",
  relations: "relations",
  head: "head",
  tail: "tail",
}

const Id = Schema.Union([Schema.String, Schema.Number])

const recordSchema = (fields: JsonlSpanFields) => {
  const Entity = Schema.Struct({ id: Schema.optional(Id), start: Schema.Int, end: Schema.Int, type: Schema.String }).pipe(
    Schema.encodeKeys({ id: fields.entityId, start: fields.start, end: fields.end, type: fields.type }),
  )
  const Relation = Schema.Struct({ type: Schema.String, head: Id, tail: Id }).pipe(Schema.encodeKeys({ type: fields.type, head: fields.head, tail: fields.tail }))
  return Schema.Struct({
    id: Schema.optional(Id),
    text: Schema.String,
    entities: Schema.Array(Entity),
    relations: Schema.optional(Schema.Array(Relation)),
  }).pipe(Schema.encodeKeys({ id: fields.id, text: fields.text, entities: fields.entities, relations: fields.relations }))
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
    const entities = record.entities.map(({ type, start, end }) => ({ type, start, end }))
    const relations = record.relations === undefined ? undefined : resolveRelations(fields, line, record.entities, record.relations)
    if (relations !== undefined && "_tag" in relations) return relations
    return {
      id: record.id === undefined ? String(line) : String(record.id),
      text: record.text,
      entities: entities.sort(compareSpans),
      ...(relations !== undefined && { relations }),
    }
  }
}

type Id = string | number

/**
 * A line's relations with their head and tail entity ids replaced by the entities, sorted; or
 * why not: an entity id that repeats, or a relation naming an id that none of the line's
 * entities has ("unknown entity id", naming the line and field).
 */
const resolveRelations = (
  fields: JsonlSpanFields,
  line: number,
  entities: ReadonlyArray<EntitySpan & { readonly id?: Id | undefined }>,
  relations: ReadonlyArray<{ readonly type: string; readonly head: Id; readonly tail: Id }>,
): Array<EntityRelation> | Malformed => {
  const byId = new Map<string, EntitySpan>()
  for (const [k, { id, type, start, end }] of entities.entries()) {
    if (id === undefined) continue
    if (byId.has(String(id))) {
      return malformed("repeated entity id", `line ${line}, field ${JSON.stringify(fields.entities)}[${k}][${JSON.stringify(fields.entityId)}]: expected an id no other entity of the line has, got ${JSON.stringify(id)} again`)
    }
    byId.set(String(id), { type, start, end })
  }
  const resolved: Array<EntityRelation> = []
  for (const [k, relation] of relations.entries()) {
    const ends = { head: byId.get(String(relation.head)), tail: byId.get(String(relation.tail)) }
    for (const end of ["head", "tail"] as const) {
      if (ends[end] === undefined) {
        const where = `${JSON.stringify(fields.relations)}[${k}][${JSON.stringify(fields[end])}]`
        const known = [...byId.keys()].map((id) => JSON.stringify(id)).join(", ")
        return malformed("unknown entity id", `line ${line}, field ${where}: expected the id of one of the line's entities (${known || "none has an id"}), got ${JSON.stringify(relation[end])}`)
      }
    }
    resolved.push({ type: relation.type, head: ends.head!, tail: ends.tail! })
  }
  return resolved.sort(compareRelations)
}

/**
 * Reads JSONL sentences with character-offset entities (`[start, end)` as JavaScript string
 * indices, which are Python's too unless the text has characters outside the BMP). Blank
 * lines are skipped; a sentence without an id gets its line number. Invalid JSON, missing or
 * mistyped fields, spans outside the text, repeated entity ids and relations naming an unknown
 * entity id fail with a DataFileError naming the line and field, or with `skipMalformed` are
 * dropped under "invalid JSON", "wrong fields", "span outside the text", "repeated entity id",
 * "unknown entity id". A line with a `relations` list (even empty) keeps it, resolved to spans.
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
