// Reading a spec: YAML with positions → `${VAR}` expansion → Schema decoding (all issues,
// unknown keys included, and the options of the methods the caller knows) → cross-field rules → PubMedQA's field names where a pubmedqa spec
// leaves them out. Every problem found becomes one line of a single SpecError, with the
// line:column it refers to.
import { readFile } from "node:fs/promises"
import { Effect, Result, Schema } from "effect"
import { nonUtf8Line } from "@peftlab/core"
import { crossFieldIssues } from "./checks.ts"
import { type Env, type ExpandedFields, expandVariables } from "./env.ts"
import { type FieldIssue, renderFound, SpecError, type SpecIssue } from "./errors.ts"
import { renderPath } from "./path.ts"
import { type DecodedSpec, ExperimentSpec, isBuiltinArm, pubmedqaFields } from "./schema.ts"
import { applyOverrides, type Override, overrideIssues } from "./overrides.ts"
import { fieldIssues } from "./schema-issues.ts"
import { expandArms } from "./sweep.ts"
import { type Locations, locate, parseYaml } from "./yaml-source.ts"

export interface LoadedSpec {
  readonly spec: ExperimentSpec
  /** The spec file, as given. */
  readonly file: string
  /** Fields that used `${VAR}`, by path (`data.path`), with where each variable's value came from. */
  readonly variables: ExpandedFields
  /** Where each field is in the file, by path, for later errors about its value. */
  readonly locations: Locations
  /**
   * The arms as the file writes them, before sweeps and seeds (a sweep's values are checked
   * against them); absent where the spec was read back expanded (a run's manifest).
   */
  readonly written?: DecodedSpec["arms"]
}

const decode = Schema.decodeUnknownResult(ExperimentSpec, { errors: "all", onExcessProperty: "error" })

/** One check of a method arm, given the arm as the file writes it (`kind` a string) and its index in `arms`. */
export type MethodArmCheck = (arm: Readonly<Record<string, unknown>>, index: number) => ReadonlyArray<FieldIssue>

/**
 * How the arms of methods known while the spec is read (the runner's built-in ones) are checked
 * with the spec's own fields, so that every problem comes in one error: their options (with the
 * spec's fields), their sweeps' values (with the other sweeps), their methods' rules (with the
 * cross-field rules). An arm of a kind it does not know is left for the registry, once plugins load.
 */
export interface MethodArmChecks {
  readonly options: MethodArmCheck
  readonly sweep: MethodArmCheck
  readonly rules: MethodArmCheck
}

/** The arms the file writes whose kind is not one of the spec's own, with their indices. */
const writtenMethodArms = (tree: unknown): Array<readonly [Readonly<Record<string, unknown>>, number]> => {
  const arms = typeof tree === "object" && tree !== null ? (tree as Record<string, unknown>)["arms"] : undefined
  if (!Array.isArray(arms)) return []
  return arms.flatMap((arm, i) => {
    const kind = typeof arm === "object" && arm !== null ? (arm as Record<string, unknown>)["kind"] : undefined
    return typeof kind === "string" && !isBuiltinArm({ kind }) ? [[arm as Record<string, unknown>, i] as const] : []
  })
}

/** Places a field issue at its line:column in the spec file. */
export const placeIssue =
  (locations: Locations) =>
  (issue: FieldIssue): SpecIssue => {
    const position = locate(locations, issue.path, issue.at)
    return {
      path: renderPath(issue.path),
      expected: issue.expected,
      found: issue.found,
      ...(issue.message === undefined ? {} : { message: issue.message }),
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
    }
  }

/**
 * Decodes spec text; `file` only names the source in errors; `overrides` replace fields first (see
 * --set); `methods` checks the arms of the methods it knows with everything else (see MethodArmChecks).
 */
export const decodeSpecText = (
  text: string,
  file: string,
  env: Env = process.env,
  overrides: ReadonlyArray<Override> = [],
  methods?: MethodArmChecks,
): Effect.Effect<LoadedSpec, SpecError> => {
  const source = parseYaml(text)
  if (source.syntaxIssues.length > 0) return Effect.fail(SpecError.fromIssues(file, source.syntaxIssues))
  const misplaced = overrideIssues(source.tree, overrides)
  if (misplaced.length > 0) return Effect.fail(SpecError.fromIssues(file, misplaced))
  const expansion = expandVariables(applyOverrides(source.tree, overrides), env)
  const decoded = decode(expansion.tree)
  const methodArms = methods === undefined ? [] : writtenMethodArms(expansion.tree)
  const methodIssues = (check: keyof MethodArmChecks) => methodArms.flatMap(([arm, index]) => methods![check](arm, index))
  // A method arm's options are part of the spec's fields, its sweeps' values part of the expansion, its method's rules part of the cross-field ones.
  const optionIssues = methodIssues("options")
  const expanded = Result.isSuccess(decoded) && optionIssues.length === 0 ? expandArms(decoded.success) : undefined
  const expansionIssues = expanded ? [...expanded.issues, ...methodIssues("sweep")] : []
  const issues = [
    ...expansion.issues,
    ...(Result.isSuccess(decoded) && expanded
      ? [...expansionIssues, ...(expansionIssues.length === 0 ? [...crossFieldIssues(decoded.success, expanded.arms), ...methodIssues("rules")] : [])]
      : [...(Result.isFailure(decoded) ? fieldIssues(decoded.failure.issue, expansion.tree, ExperimentSpec.ast) : []), ...optionIssues]),
  ]
  if (issues.length > 0 || Result.isFailure(decoded) || expanded === undefined) {
    return Effect.fail(SpecError.fromIssues(file, issues.map(placeIssue(source.locations))))
  }
  const spec = decoded.success
  const { data } = spec
  const fields = data.kind === "pubmedqa" ? { ...pubmedqaFields, ...data.fields } : data.fields
  return Effect.succeed({
    spec: { ...spec, arms: expanded.arms, data: { ...data, fields, split: { ...data.split, seed: data.split.seed ?? spec.seed } } },
    file,
    variables: expansion.fields,
    locations: source.locations,
    written: spec.arms,
  })
}

/** Reads and decodes the spec at `file`, expanding variables from `env`, with `overrides` applied and `methods`' arms checked (see decodeSpecText). */
export const loadSpec = (file: string, env: Env = process.env, overrides: ReadonlyArray<Override> = [], methods?: MethodArmChecks): Effect.Effect<LoadedSpec, SpecError> =>
  Effect.tryPromise({
    try: () => readFile(file),
    catch: (cause) =>
      SpecError.fromIssues(file, [
        { path: "", expected: "a readable spec file", found: renderFound(String(cause)), message: `cannot read the spec file (${String(cause)})` },
      ]),
  }).pipe(
    Effect.flatMap((bytes) => {
      const line = nonUtf8Line(bytes)
      if (line === undefined) return decodeSpecText(bytes.toString("utf8"), file, env, overrides, methods)
      return Effect.fail(
        SpecError.fromIssues(file, [{ path: "", expected: "UTF-8 text", found: "other bytes", message: "expected UTF-8 text, found bytes that are not UTF-8; save the spec as UTF-8", line, column: 1 }]),
      )
    }),
  )
