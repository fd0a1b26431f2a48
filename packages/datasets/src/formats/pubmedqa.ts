import { Effect, Schema, SchemaIssue } from "effect"
import { cleanExamples, type CleaningOptions } from "../cleaning/classification.ts"
import { DataFileError } from "../data-file-error.ts"
import type { ClassificationExample, Loaded } from "../example.ts"
import { readJsonFile } from "../files/json-file.ts"

/** Names of the entry fields that hold the question, the context passages and the label. */
export interface PubMedQAFields {
  readonly question: string
  readonly context: string
  readonly label: string
}

export interface PubMedQAOptions extends Partial<CleaningOptions> {
  readonly fields?: Partial<PubMedQAFields>
}

const defaultFields: PubMedQAFields = { question: "QUESTION", context: "CONTEXTS", label: "final_decision" }
const defaultCleaning: CleaningOptions = { dropLabels: ["maybe"], lowercaseLabels: true, dedupe: true, dropEmpty: true }

const required = <S extends Schema.Top>(schema: S, expected: string) =>
  schema.pipe(Schema.annotateKey({ messageMissingKey: `missing, expected ${expected}` }))

// A plain string context is accepted too, so `fields.context` can name e.g. LONG_ANSWER.
const Entry = Schema.Struct({
  question: required(Schema.String, "a string"),
  context: required(Schema.Union([Schema.String, Schema.Array(Schema.String)]), "a string or an array of strings"),
  label: required(Schema.String, "a string"),
})

const ById = Schema.Record(Schema.String, Schema.Unknown)

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** `PMID 123, field "CONTEXTS"[1]: Expected string, got 3`. */
const describeIssue = (id: string, error: Schema.SchemaError): string => {
  const first = formatIssue(error.issue).issues[0]
  const [field, ...rest] = first?.path ?? []
  const where = field === undefined ? "" : `, field ${JSON.stringify(field)}${rest.map((p) => `[${String(p)}]`).join("")}`
  return `PMID ${id}${where}: ${first?.message ?? String(error)}`
}

const describeJson = (json: unknown): string => (Array.isArray(json) ? "an array" : json === null ? "null" : `a ${typeof json}`)

const decodeEntries = (path: string, json: unknown, fields: PubMedQAFields) =>
  Effect.gen(function* () {
    const byId = yield* Schema.decodeUnknownEffect(ById)(json).pipe(
      Effect.mapError(() => new DataFileError({ source: path, detail: `expected an object keyed by PMID, got ${describeJson(json)}` })),
    )
    const names = [fields.question, fields.context, fields.label]
    if (new Set(names).size < names.length) {
      return yield* Effect.fail(new DataFileError({ source: path, detail: `fields must name three different keys, got ${JSON.stringify(fields)}` }))
    }
    const decodeEntry = Schema.decodeUnknownEffect(Entry.pipe(Schema.encodeKeys(fields)))
    const examples: Array<ClassificationExample> = []
    for (const [id, raw] of Object.entries(byId)) {
      const { question, context, label } = yield* decodeEntry(raw, { reportInput: true }).pipe(
        Effect.mapError((error) => new DataFileError({ source: path, detail: describeIssue(id, error) })),
      )
      examples.push({ id, question, context: typeof context === "string" ? context : context.join(" "), label })
    }
    return examples
  })

/**
 * Loads PubMedQA's `ori_pqal.json` (an object keyed by PMID) and cleans it.
 * JSON.parse orders integer-like keys numerically, so examples come in ascending PMID order.
 */
export const loadPubMedQA = (
  path: string,
  options: PubMedQAOptions = {},
): Effect.Effect<Loaded<ClassificationExample>, DataFileError> =>
  Effect.gen(function* () {
    const { fields, ...cleaning } = options
    const raw = yield* decodeEntries(path, yield* readJsonFile(path), { ...defaultFields, ...fields })
    const { examples, dropped } = cleanExamples(raw, { ...defaultCleaning, ...cleaning })
    return { examples, report: { source: path, read: raw.length, kept: examples.length, dropped } }
  })
