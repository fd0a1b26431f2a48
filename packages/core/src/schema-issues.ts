// Schema decoding that reports one line per issue, naming the field and the value found,
// e.g. `field "hidden_size": Expected an integer, got 64.5`: the detail of an InputError about a
// file peftlab reads (model configs, results folders, adapter configs).
import { Result, Schema, SchemaIssue } from "effect"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined), input)

const fieldName = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("")

const describeIssues = (issue: SchemaIssue.Issue, input: unknown): string =>
  formatter(issue)
    .issues.map(({ path, message }) => {
      const keys = (path ?? []).map((p) => (typeof p === "object" ? p.key : p))
      const found = valueAt(input, keys)
      const got = found === undefined ? "" : `, got ${JSON.stringify(found)}`
      return keys.length === 0 ? `${message}${got}` : `field "${fieldName(keys)}": ${message}${got}`
    })
    .join("; ")

/** The decoded value, or a description of every issue. */
export const decodeOrDescribe = <S extends Schema.ConstraintDecoder<unknown>>(schema: S, input: unknown): Result.Result<S["Type"], string> =>
  Result.mapError(Schema.decodeUnknownResult(schema)(input, { errors: "all" }), (error) => describeIssues(error.issue, input))
