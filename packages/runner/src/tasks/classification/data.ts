// A classification task's data: labelled examples loaded and cleaned by the spec's data kind,
// split stratified by label and (for quick runs) subset; evaluation.external_test is read and
// cleaned the same way (its own kind and fields where given), never split, subset to
// data.limit.test as the test split is.
import { Effect } from "effect"
import type { RegistryError } from "@peftlab/core"
import { datasetHash, stratifiedSplit, stratifiedSubset, type ClassificationExample, type LoadReport } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { classificationTaskOf } from "./encode.ts"
import { emptySplitError } from "../../empty-split.ts"
import { isLabelDatasetKind, producedBy, Registry } from "@peftlab/plugin-api"
import { SpecDataMismatch } from "../../spec-data-mismatch.ts"
import { emptyExternalError, externalSourceOf, withExternalHash } from "../external-test.ts"

export interface Splits {
  readonly train: ReadonlyArray<ClassificationExample>
  readonly val: ReadonlyArray<ClassificationExample>
  readonly test: ReadonlyArray<ClassificationExample>
}

/** The evaluation-only examples of evaluation.external_test, and where they came from. */
export interface ExternalExamples {
  readonly path: string
  readonly examples: ReadonlyArray<ClassificationExample>
}

export interface PreparedData {
  readonly splits: Splits
  readonly labels: ReadonlyArray<string>
  readonly report: LoadReport
  /** sha256 of the cleaned examples before splitting (and of the external set's, when there is one). */
  readonly hash: string
  readonly external?: ExternalExamples
}

/**
 * `data` read by the data kind `kindName` (looked up in the run's Registry: the built-ins, and the
 * kinds the spec's plugins add); every label must be one of task.labels.
 */
const loadExamples = (spec: ExperimentSpec, data: ExperimentSpec["data"], kindName: string) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    const kind = yield* Effect.try({ try: () => registry.get("datasets", kindName), catch: (error) => error as RegistryError })
    // The registry check has matched the data kind to the task (checkRegisteredNames).
    if (!isLabelDatasetKind(kind)) return yield* Effect.die(new Error(`data.kind ${kind.name} gives ${producedBy(kind)}, not labelled examples`))
    const loaded = yield* kind.load(data)
    const labels = Object.keys(classificationTaskOf(spec).labels)
    const unknown = loaded.examples.find((e) => !labels.includes(e.label))
    if (unknown) {
      return yield* Effect.fail(
        new SpecDataMismatch({
          source: data.path,
          detail: `example ${unknown.id} has label "${unknown.label}", which task.labels does not list (${labels.join(", ")}); add a verbalizer for it or drop it with data.cleaning.drop_labels`,
        }),
      )
    }
    return loaded
  })

const subset = (examples: ReadonlyArray<ClassificationExample>, n: number | undefined, seed: number): ReadonlyArray<ClassificationExample> =>
  n !== undefined && n < examples.length ? stratifiedSubset(examples, n, seed) : examples

/** evaluation.external_test's examples, read and checked as data's are; undefined without one. */
const loadExternal = (spec: ExperimentSpec, seed: number) =>
  Effect.gen(function* () {
    const source = externalSourceOf(spec)
    if (source === undefined) return undefined
    const { examples, report } = yield* loadExamples(spec, source.data, source.kind)
    if (examples.length === 0) return yield* Effect.fail(emptyExternalError(source.data.path, report, "examples"))
    return { path: source.data.path, examples: subset(examples, spec.data.limit?.test, seed) }
  })

export const prepareClassificationData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const { examples, report } = yield* loadExamples(spec, data, data.kind)
    const labels = Object.keys(classificationTaskOf(spec).labels)
    const seed = data.split.seed ?? spec.seed
    const full = stratifiedSplit(examples, data.split, seed)
    const limit = (split: keyof Splits) => subset(full[split], data.limit?.[split], seed)
    const splits: Splits = { train: limit("train"), val: limit("val"), test: limit("test") }
    const empty = emptySplitError(data.path, splits, examples.length, report)
    if (empty) return yield* Effect.fail(empty)
    const external = yield* loadExternal(spec, seed)
    const hash = withExternalHash(datasetHash(examples), external && datasetHash(external.examples))
    return { splits, labels, report, hash, ...(external && { external }) } satisfies PreparedData
  })
