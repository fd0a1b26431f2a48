// The spec's registered names (data.kind, backend, evaluation.metrics, plugin arm kinds and their options), checked once the
// plugins it lists have added theirs, and reported like every other spec problem: field,
// expectation, value and line:column, all at once.
import { Effect } from "effect"
import { isGenerativeQa, isSpanExtraction, placeIssue, renderFound, SpecError, type FieldIssue, type LoadedSpec } from "@peftlab/spec"
import { producedBy, type PeftlabRegistry } from "./entries.ts"
import { pluginArmIssues } from "./methods.ts"
import { qaMetricNames } from "../qa/qa-results.ts"
import { spanEvaluationMetrics } from "../span/span-results.ts"
import { standardColumns } from "./metrics.ts"

const oneOf = (names: ReadonlyArray<string>): string => `one of ${names.join(", ")}`

const nameIssue = (path: FieldIssue["path"], value: string, names: ReadonlyArray<string>): Array<FieldIssue> =>
  names.includes(value) ? [] : [{ path, expected: oneOf(names), found: renderFound(value) }]

/** Fields the data kind needs but the spec leaves out, and fields it gives that the kind does not read. */
const dataFieldIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const { kind, fields } = loaded.spec.data
  if (!registry.has("datasets", kind)) return []
  const { required, optional } = registry.get("datasets", kind).fields
  const reads = [...required, ...optional]
  const given = Object.entries(fields).filter(([, value]) => value !== undefined)
  return [
    ...required
      .filter((name) => fields[name] === undefined)
      .map((name): FieldIssue => ({ path: ["data", "fields", name], expected: `a source field name (data.kind ${kind} needs fields ${required.join(", ")})`, found: renderFound(undefined) })),
    ...given
      .filter(([name]) => !(reads as ReadonlyArray<string>).includes(name))
      .map(([name, value]): FieldIssue => ({
        path: ["data", "fields", name],
        at: "key",
        expected: `no such field for data.kind ${kind} (it reads ${reads.length === 0 ? "no fields" : reads.join(", ")})`,
        found: renderFound(value),
      })),
  ]
}

/** What each task reads, and the task kind each kind of data is for. */
const taskData = {
  labels: { task: "classification", data: "labelled examples" },
  qa: { task: "generative-qa", data: "question-answer pairs" },
  spans: { task: "span-extraction", data: "sentences with entity spans" },
} as const

/** A classification task needs labelled data, a generative-qa task question-answer pairs, a span-extraction task entity spans. */
const dataKindFitsTask = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const { kind } = loaded.spec.data
  if (!registry.has("datasets", kind)) return []
  const { task } = loaded.spec
  const needed = isGenerativeQa(task) ? "qa" : isSpanExtraction(task) ? "spans" : "labels"
  const given = producedBy(registry.get("datasets", kind))
  if (given === needed) return []
  const expected = `a data kind of ${taskData[needed].data} (task.kind is ${taskData[needed].task}); ${taskData[given].data} need task.kind ${taskData[given].task}`
  return [{ path: ["data", "kind"], expected, found: renderFound(kind) }]
}

/** Generative QA and span extraction report their own fixed sets of columns. */
const fixedMetricIssues = (loaded: LoadedSpec, names: ReadonlyArray<string>): Array<FieldIssue> =>
  loaded.spec.evaluation.metrics.flatMap((name, i) => nameIssue(["evaluation", "metrics", i], name, names))

const metricIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  if (isGenerativeQa(loaded.spec.task)) return fixedMetricIssues(loaded, qaMetricNames)
  if (isSpanExtraction(loaded.spec.task)) return fixedMetricIssues(loaded, spanEvaluationMetrics)
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
  ...dataKindFitsTask(loaded, registry),
  ...metricIssues(loaded, registry),
  ...pluginArmIssues(loaded, registry),
]

/** Fails with one SpecError listing `issues`, each at its line:column. */
export const failOnIssues = (loaded: LoadedSpec, issues: ReadonlyArray<FieldIssue>): Effect.Effect<void, SpecError> =>
  issues.length === 0 ? Effect.void : Effect.fail(SpecError.fromIssues(loaded.file, issues.map(placeIssue(loaded.locations))))

/** Fails with one SpecError listing every registered-name issue, each at its line:column. */
export const checkRegisteredNames = (loaded: LoadedSpec, registry: PeftlabRegistry): Effect.Effect<void, SpecError> =>
  failOnIssues(loaded, registeredNameIssues(loaded, registry))
