// The spec's registered names (data.kind, backend, evaluation.metrics, method arm kinds and their options), checked once the
// plugins it lists have added theirs, and reported like every other spec problem: field,
// expectation, value and line:column, all at once.
import { Effect } from "effect"
import { producedBy, Registry, type PeftlabRegistry } from "@peftlab/plugin-api"
import { placeIssue, renderFound, SpecError, type FieldIssue, type LoadedSpec } from "@peftlab/spec"
import { taskKindOf, taskKindReading } from "../tasks/task-kinds.ts"
import { methodArmIssues } from "./methods.ts"
import { standardColumns } from "./metrics.ts"

const oneOf = (names: ReadonlyArray<string>): string => `one of ${names.join(", ")}`

const nameIssue = (path: FieldIssue["path"], value: string, names: ReadonlyArray<string>): Array<FieldIssue> =>
  names.includes(value) ? [] : [{ path, expected: oneOf(names), found: renderFound(value) }]

/** A data source's fields checked against the data kind that reads them, and where the spec gives them. */
interface FieldSource {
  readonly kind: string
  readonly fields: LoadedSpec["spec"]["data"]["fields"]
  readonly path: FieldIssue["path"]
  /** The kind as a message names it: data.kind csv. */
  readonly named: string
  /** Whether the fields were written here, so that a field the kind does not read is this source's mistake. */
  readonly written: boolean
}

/** Fields the data kind needs but the source leaves out, and fields it gives that the kind does not read. */
const fieldIssuesOf = (registry: PeftlabRegistry, { kind, fields, path, named, written }: FieldSource): Array<FieldIssue> => {
  if (!registry.has("datasets", kind)) return []
  const { required, optional } = registry.get("datasets", kind).fields
  const reads = [...required, ...optional]
  const given = written ? Object.entries(fields).filter(([, value]) => value !== undefined) : []
  return [
    ...required
      .filter((name) => fields[name] === undefined)
      .map((name): FieldIssue => ({ path: [...path, name], expected: `a source field name (${named} needs fields ${required.join(", ")})`, found: renderFound(undefined) })),
    ...given
      .filter(([name]) => !(reads as ReadonlyArray<string>).includes(name))
      .map(([name, value]): FieldIssue => ({
        path: [...path, name],
        at: "key",
        expected: `no such field for ${named} (it reads ${reads.length === 0 ? "no fields" : reads.join(", ")})`,
        found: renderFound(value),
      })),
  ]
}

const dataFieldIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const { kind, fields } = loaded.spec.data
  return fieldIssuesOf(registry, { kind, fields, path: ["data", "fields"], named: `data.kind ${kind}`, written: true })
}

/**
 * evaluation.external_test's fields (data.fields where it gives none) against its kind (data.kind
 * where it gives none); with neither given it reads exactly as data does, already checked.
 */
const externalFieldIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const external = loaded.spec.evaluation.external_test
  if (external === undefined || (external.kind === undefined && external.fields === undefined)) return []
  const kind = external.kind ?? loaded.spec.data.kind
  return fieldIssuesOf(registry, {
    kind,
    fields: external.fields ?? loaded.spec.data.fields,
    path: ["evaluation", "external_test", "fields"],
    named: external.kind === undefined ? `data.kind ${kind}` : `evaluation.external_test.kind ${kind}`,
    written: external.fields !== undefined,
  })
}

/** A classification task needs labelled data, a generative-qa task question-answer pairs, a span-extraction task entity spans. */
const dataKindFitsTask = (loaded: LoadedSpec, registry: PeftlabRegistry, path: FieldIssue["path"], kind: string): Array<FieldIssue> => {
  if (!registry.has("datasets", kind)) return []
  const needed = taskKindOf(loaded.spec.task)
  const given = producedBy(registry.get("datasets", kind))
  if (given === needed.data.produces) return []
  const givenFor = taskKindReading(given)
  const expected = `a data kind of ${needed.data.described} (task.kind is ${needed.name}); ${givenFor.data.described} need task.kind ${givenFor.name}`
  return [{ path, expected, found: renderFound(kind) }]
}

/** evaluation.external_test.kind, when given: a registered data kind of the task's data, as data.kind. */
const externalTestKindIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const kind = loaded.spec.evaluation.external_test?.kind
  if (kind === undefined) return []
  const path = ["evaluation", "external_test", "kind"]
  return [...nameIssue(path, kind, registry.names("datasets")), ...dataKindFitsTask(loaded, registry, path, kind)]
}

/** Task kinds with their own fixed sets of columns (generative QA, span extraction) take only those names. */
const fixedMetricIssues = (loaded: LoadedSpec, names: ReadonlyArray<string>): Array<FieldIssue> =>
  loaded.spec.evaluation.metrics.flatMap((name, i) => nameIssue(["evaluation", "metrics", i], name, names))

const metricIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const { fixedMetrics } = taskKindOf(loaded.spec.task)
  if (fixedMetrics) return fixedMetricIssues(loaded, fixedMetrics)
  const { mode, metrics } = loaded.spec.evaluation
  const names = [...new Set([...standardColumns, ...registry.names("metrics")])]
  return metrics.flatMap((name, i): Array<FieldIssue> => {
    const path = ["evaluation", "metrics", i]
    if (!names.includes(name)) return nameIssue(path, name, names)
    const needsScores = registry.has("metrics", name) && registry.get("metrics", name).needsScores === true
    return needsScores && mode === "generate"
      ? [{ path, expected: "a metric that needs no label scores (evaluation.mode generate gives none)", found: renderFound(name) }]
      : []
  })
}

/** The issues with the spec's registered names, given everything registered so far. */
export const registeredNameIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): ReadonlyArray<FieldIssue> => [
  ...nameIssue(["backend"], loaded.spec.backend, registry.names("backends")),
  ...nameIssue(["data", "kind"], loaded.spec.data.kind, registry.names("datasets")),
  ...dataFieldIssues(loaded, registry),
  ...dataKindFitsTask(loaded, registry, ["data", "kind"], loaded.spec.data.kind),
  ...externalTestKindIssues(loaded, registry),
  ...externalFieldIssues(loaded, registry),
  ...metricIssues(loaded, registry),
  ...methodArmIssues(loaded, registry),
]

/** Fails with one SpecError listing `issues`, each at its line:column. */
export const failOnIssues = (loaded: LoadedSpec, issues: ReadonlyArray<FieldIssue>): Effect.Effect<void, SpecError> =>
  issues.length === 0 ? Effect.void : Effect.fail(SpecError.fromIssues(loaded.file, issues.map(placeIssue(loaded.locations))))

/** Fails with one SpecError listing every issue with the spec's names in the run's registry, each at its line:column. */
export const checkRegisteredNames = (loaded: LoadedSpec): Effect.Effect<void, SpecError, Registry> =>
  Registry.use((registry) => failOnIssues(loaded, registeredNameIssues(loaded, registry)))
