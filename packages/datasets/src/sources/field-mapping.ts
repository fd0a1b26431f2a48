// Which column or key of a file holds each part of an example, and reading those parts
// out of one record with an error that names the line and field.
import { Effect } from "effect"
import { DataFileError } from "../data-file-error.ts"
import { isMalformed, malformed, type Malformed } from "../files/malformed-rows.ts"
import type { SourceRecord } from "../formats/source-record.ts"

/** Field names for a classification file: the text to classify and its label. */
export interface ClassificationFields {
  readonly text: string
  readonly label: string
  /** A second text, e.g. the question of a (question, passage) pair. */
  readonly question?: string
  /** Unique example ids; without it the id is the line number. */
  readonly id?: string
  /** Fields kept as string metadata, for slicing results. */
  readonly metadata?: ReadonlyArray<string>
}

/** Field names for a question-answering file. */
export interface QAFields {
  readonly question: string
  readonly answer: string
  readonly context?: string
  /** Unique example ids; without it the id is the line number. */
  readonly id?: string
  /** Fields kept as string metadata, for slicing results. */
  readonly metadata?: ReadonlyArray<string>
}

/** Role (e.g. `text`) → field name, for the roles a kind of example needs and those it may have; plus id and metadata fields. */
export interface FieldPlan<Req extends string, Opt extends string> {
  readonly required: Readonly<Record<Req, string>>
  readonly optional: Readonly<Partial<Record<Opt, string>>>
  readonly id: string | undefined
  readonly metadata: ReadonlyArray<string>
}

/** A record read by a plan: role → text for the roles it maps. */
export interface MappedRow<Req extends string, Opt extends string> {
  readonly id: string
  readonly line: number
  readonly values: Readonly<Record<Req, string> & Partial<Record<Opt, string>>>
  readonly metadata: Readonly<Record<string, string>>
}

const describeValue = (value: unknown): string =>
  Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`

/** A field's value as text: strings as they are, numbers and booleans (e.g. 0/1 labels) printed. */
const fieldText = (record: SourceRecord, name: string): string | Malformed => {
  const value = Object.hasOwn(record.values, name) ? record.values[name] : undefined
  const at = `line ${record.line}, field ${JSON.stringify(name)}`
  if (value === undefined) return malformed(`missing field ${JSON.stringify(name)}`, `${at}: missing`)
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  return malformed(`field ${JSON.stringify(name)} not text`, `${at}: expected a string, number or boolean, got ${describeValue(value)}`)
}

/** `[role, field name]` for every role the plan maps: required ones first. */
const roleFields = <Req extends string, Opt extends string>(plan: FieldPlan<Req, Opt>): Array<[string, string]> => [
  ...Object.entries<string>(plan.required),
  ...Object.entries<string | undefined>(plan.optional).flatMap(([role, name]): Array<[string, string]> => (name === undefined ? [] : [[role, name]])),
]

/** The names a plan reads: roles, id, metadata. */
const namesOf = <Req extends string, Opt extends string>(plan: FieldPlan<Req, Opt>): Array<string> => [
  ...roleFields(plan).map(([, name]) => name),
  ...(plan.id === undefined ? [] : [plan.id]),
  ...plan.metadata,
]

/** A header that lacks a mapped column fails at once, rather than on every row. */
export const checkColumns = <Req extends string, Opt extends string>(
  path: string,
  columns: ReadonlyArray<string>,
  plan: FieldPlan<Req, Opt>,
): Effect.Effect<void, DataFileError> => {
  const missing = namesOf(plan).find((name) => !columns.includes(name))
  return missing === undefined
    ? Effect.void
    : Effect.fail(new DataFileError({ source: path, detail: `no column ${JSON.stringify(missing)} in the header; it has ${columns.map((c) => JSON.stringify(c)).join(", ")}` }))
}

/** Reads `key → field name` pairs into `key → text`, or the first field that fails. */
const readFields = (record: SourceRecord, pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> | Malformed => {
  const out: Record<string, string> = {}
  for (const [key, name] of pairs) {
    const text = fieldText(record, name)
    if (isMalformed(text)) return text
    out[key] = text
  }
  return out
}

const mapRecord = <Req extends string, Opt extends string>(record: SourceRecord, plan: FieldPlan<Req, Opt>): MappedRow<Req, Opt> | Malformed => {
  const values = readFields(record, roleFields(plan))
  if (isMalformed(values)) return values
  const id = plan.id === undefined ? String(record.line) : fieldText(record, plan.id)
  if (isMalformed(id)) return id
  const metadata = readFields(record, plan.metadata.map((name) => [name, name] as const))
  if (isMalformed(metadata)) return metadata
  // readFields filled one entry per mapped role.
  return { id, line: record.line, values: values as MappedRow<Req, Opt>["values"], metadata }
}

/** Maps every record by the plan; a missing or non-text field, or an id used before, makes a row Malformed. */
export const mapRecords = <Req extends string, Opt extends string>(
  rows: ReadonlyArray<SourceRecord | Malformed>,
  plan: FieldPlan<Req, Opt>,
): Array<MappedRow<Req, Opt> | Malformed> => {
  const firstLine = new Map<string, number>()
  return rows.map((row) => {
    const mapped = isMalformed(row) ? row : mapRecord(row, plan)
    if (isMalformed(mapped)) return mapped
    const earlier = firstLine.get(mapped.id)
    if (earlier !== undefined) {
      return malformed("duplicate id", `line ${mapped.line}, field ${JSON.stringify(plan.id)}: id ${JSON.stringify(mapped.id)} already used on line ${earlier}`)
    }
    firstLine.set(mapped.id, mapped.line)
    return mapped
  })
}
