// Generative QA data: the `medquad` data kind (MedQuAD's XML tree), then a seeded
// train/val/test split (stratified by MedQuAD source when data.split.stratify) and the
// spec's per-split limits, taken from the front of each already shuffled split;
// evaluation.external_test is read the same way (its own kind where given), never split, cut to
// data.limit.test.
import { Effect } from "effect"
import { datasetHash, loadMedQuAD, seededSplit, type QAExample } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { emptySplitError } from "../../empty-split.ts"
import { isQADatasetKind, Registry, type QADatasetKind } from "@peftlab/plugin-api"
import type { RegistryError } from "@peftlab/core"
import { emptyExternalError, externalSourceOf, withExternalHash } from "../external-test.ts"

export const medquadKind: QADatasetKind = {
  name: "medquad",
  produces: "qa",
  fields: { required: [], optional: [] },
  load: (data) => loadMedQuAD(data.path, { dedupe: data.cleaning.dedupe }),
}

export interface QASplits {
  readonly train: ReadonlyArray<QAExample>
  readonly val: ReadonlyArray<QAExample>
  readonly test: ReadonlyArray<QAExample>
}

/** The evaluation-only question-answer pairs of evaluation.external_test, and where they came from. */
export interface ExternalQA {
  readonly path: string
  readonly examples: ReadonlyArray<QAExample>
}

/** `data` read by the data kind `kindName`, looked up in the run's Registry. */
const loadPairs = (data: ExperimentSpec["data"], kindName: string) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    const kind = yield* Effect.try({ try: () => registry.get("datasets", kindName), catch: (error) => error as RegistryError })
    // The registry check has matched the data kind to the task (checkRegisteredNames).
    if (!isQADatasetKind(kind)) return yield* Effect.die(new Error(`data.kind ${kind.name} gives labelled examples, not question-answer pairs`))
    return yield* kind.load(data)
  })

/** evaluation.external_test's pairs, cut to data.limit.test; undefined without one. */
const loadExternal = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const source = externalSourceOf(spec)
    if (source === undefined) return undefined
    const { examples, report } = yield* loadPairs(source.data, source.kind)
    if (examples.length === 0) return yield* Effect.fail(emptyExternalError(source.data.path, report, "question-answer pairs"))
    return { path: source.data.path, examples: examples.slice(0, spec.data.limit?.test ?? examples.length) } satisfies ExternalQA
  })

/** Loads the spec's QA data (data.kind looked up in the run's Registry), splits and limits it. */
export const prepareQAData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const { examples, report } = yield* loadPairs(data, data.kind)
    const full = seededSplit(examples, data.split, data.split.seed, data.split.stratify ? (e) => e.metadata.source ?? "" : undefined)
    const limit = (split: keyof QASplits) => full[split].slice(0, data.limit?.[split] ?? full[split].length)
    const splits: QASplits = { train: limit("train"), val: limit("val"), test: limit("test") }
    const empty = emptySplitError(data.path, splits, examples.length, report)
    if (empty) return yield* Effect.fail(empty)
    const external = yield* loadExternal(spec)
    const hash = withExternalHash(datasetHash(examples), external && datasetHash(external.examples))
    return { splits, labels: [] as ReadonlyArray<string>, report, hash, ...(external && { external }) }
  })
