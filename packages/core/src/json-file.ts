// Every JSON file peftlab reads back (results folders, checkpoints, adapter configs, package.json)
// is decoded by a Schema of what the reader uses: a missing or corrupted file is an InputError
// naming the file and each field at fault (exit 2), never a crash on a cast.
import { existsSync, readFileSync } from "node:fs"
import { Effect, Result, type Schema } from "effect"
import type { InputErrorFields } from "./input-error.ts"
import { decodeOrDescribe } from "./schema-issues.ts"

/** What a reader says when its file is absent (e.g. "not found; is this a peftlab results folder?"). */
export interface JsonFileOptions {
  readonly missing?: string
  /** Appended to every problem, e.g. "; delete it to start over". */
  readonly advice?: string
}

/** `file` parsed and decoded by `schema`, or what is wrong with it (without the file's name). */
export const decodeJsonFile = <S extends Schema.ConstraintDecoder<unknown>>(file: string, schema: S, options: JsonFileOptions = {}): Result.Result<S["Type"], string> => {
  const problem = (detail: string) => Result.fail(`${detail}${options.advice ?? ""}`)
  if (!existsSync(file)) return problem(options.missing ?? "not found")
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, "utf8"))
  } catch (e) {
    return problem(`not readable as JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  const decoded = decodeOrDescribe(schema, json)
  return Result.isSuccess(decoded) ? decoded : problem(decoded.failure)
}

/** `file` parsed and decoded by `schema`, or `error` with the file as source and what is wrong. */
export const readJsonFile = <S extends Schema.ConstraintDecoder<unknown>, E>(
  file: string,
  schema: S,
  error: new (fields: InputErrorFields) => E,
  options: JsonFileOptions = {},
): Effect.Effect<S["Type"], E> =>
  Effect.fromResult(Result.mapError(decodeJsonFile(file, schema, options), (detail) => new error({ source: file, detail })))
