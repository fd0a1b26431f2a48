// Classification and QA examples from CSV, TSV or JSONL files, through a field mapping.
import { Effect } from "effect"
import { cleanExamples, type CleaningOptions } from "../cleaning/classification.ts"
import { keepCounting, sumCounts } from "../cleaning/drop-counts.ts"
import { cleanQAExamples } from "../cleaning/qa.ts"
import { collapseWhitespace } from "../cleaning/whitespace.ts"
import type { DataFileError } from "../data-file-error.ts"
import type { ClassificationExample, Loaded, QAExample } from "../example.ts"
import { collectRows } from "../files/malformed-rows.ts"
import { readRecords, type RecordFormat } from "../formats/records.ts"
import { checkColumns, mapRecords, type ClassificationFields, type FieldPlan, type MappedRow, type QAFields } from "./field-mapping.ts"

export interface FileLoadOptions {
  /** csv, tsv or jsonl; by default from the extension (.csv, .tsv, .jsonl, .ndjson). */
  readonly format?: RecordFormat
  /** Drop malformed rows and count them by reason instead of failing on the first. Default false. */
  readonly skipMalformed?: boolean
  /** Collapse runs of whitespace in every mapped field to one space and trim. Default true. */
  readonly cleanWhitespace?: boolean
  /** Drop rows with a blank mapped field, counted as `empty <role>` (e.g. `empty text`). Default true. */
  readonly dropEmpty?: boolean
  /** Keep the first of duplicate examples only. Default true. */
  readonly dedupe?: boolean
}

export interface ClassificationFileOptions
  extends FileLoadOptions,
    Partial<Pick<CleaningOptions, "lowercaseLabels" | "dropLabels" | "renameLabels" | "keepLabels">> {
  readonly fields: ClassificationFields
}

export interface QAFileOptions extends FileLoadOptions {
  readonly fields: QAFields
}

interface MappedFile<Req extends string, Opt extends string> {
  readonly rows: Array<MappedRow<Req, Opt>>
  readonly read: number
  readonly dropped: Record<string, number>
}

const tidy = <Req extends string, Opt extends string>(row: MappedRow<Req, Opt>): MappedRow<Req, Opt> => {
  const collapse = <R extends Readonly<Record<string, string | undefined>>>(values: R): R =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === undefined ? v : collapseWhitespace(v)])) as R
  return { ...row, values: collapse(row.values), metadata: collapse(row.metadata) }
}

const blankRole = (row: MappedRow<string, string>): string | undefined => {
  const blank = Object.entries<string | undefined>(row.values).find(([, value]) => value?.trim() === "")
  return blank && `empty ${blank[0]}`
}

/** Reads, maps and (by the options) tidies a file's rows, counting malformed and blank ones. */
const readMapped = <Req extends string, Opt extends string>(
  path: string,
  options: FileLoadOptions,
  plan: FieldPlan<Req, Opt>,
): Effect.Effect<MappedFile<Req, Opt>, DataFileError> =>
  Effect.gen(function* () {
    const file = yield* readRecords(path, options.format)
    if (file.columns) yield* checkColumns(path, file.columns, plan)
    const { rows, read, dropped } = yield* collectRows(path, mapRecords(file.rows, plan), options.skipMalformed ?? false)
    const tidied = (options.cleanWhitespace ?? true) ? rows.map(tidy) : rows
    const { kept, dropped: blank } = (options.dropEmpty ?? true) ? keepCounting(tidied, blankRole) : { kept: tidied, dropped: {} }
    return { rows: kept, read, dropped: sumCounts([dropped, blank]) }
  })

const report = (source: string, read: number, kept: number, ...dropped: Array<Record<string, number>>) => ({
  source,
  read,
  kept,
  dropped: sumCounts(dropped),
})

const metadataOf = (row: MappedRow<string, string>) => (Object.keys(row.metadata).length > 0 ? { metadata: row.metadata } : {})

/**
 * Loads text-classification examples: `fields.text` becomes the context, `fields.question`
 * (optional, else "") the question. Labels are normalised, renamed and filtered as
 * `cleanExamples` does (lowercased by default), then duplicates (question, text) dropped.
 */
export const loadClassificationFile = (
  path: string,
  options: ClassificationFileOptions,
): Effect.Effect<Loaded<ClassificationExample>, DataFileError> =>
  Effect.gen(function* () {
    const { fields } = options
    const plan = { required: { text: fields.text, label: fields.label }, optional: { question: fields.question }, id: fields.id, metadata: fields.metadata ?? [] }
    const file = yield* readMapped(path, options, plan)
    const raw = file.rows.map(
      (row): ClassificationExample => ({ id: row.id, question: row.values.question ?? "", context: row.values.text, label: row.values.label, ...metadataOf(row) }),
    )
    const { examples, dropped } = cleanExamples(raw, {
      dropLabels: options.dropLabels ?? [],
      lowercaseLabels: options.lowercaseLabels ?? true,
      dedupe: options.dedupe ?? true,
      dropEmpty: false,
      renameLabels: options.renameLabels,
      keepLabels: options.keepLabels,
    })
    return { examples, report: report(path, file.read, examples.length, file.dropped, dropped) }
  })

/** Loads question-answering examples; mapped `metadata` fields are kept for slicing. */
export const loadQAFile = (path: string, options: QAFileOptions): Effect.Effect<Loaded<QAExample>, DataFileError> =>
  Effect.gen(function* () {
    const { fields } = options
    const plan = { required: { question: fields.question, answer: fields.answer }, optional: { context: fields.context }, id: fields.id, metadata: fields.metadata ?? [] }
    const file = yield* readMapped(path, options, plan)
    const raw = file.rows.map(
      (row): QAExample => ({
        id: row.id,
        question: row.values.question,
        ...(row.values.context === undefined ? {} : { context: row.values.context }),
        answer: row.values.answer,
        metadata: row.metadata,
      }),
    )
    const { examples, dropped } = cleanQAExamples(raw, { dropEmpty: false, dedupe: options.dedupe ?? true })
    return { examples, report: report(path, file.read, examples.length, file.dropped, dropped) }
  })
