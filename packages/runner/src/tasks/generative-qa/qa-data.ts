// Generative QA data: the `medquad` data kind (MedQuAD's XML tree), then a seeded
// train/val/test split (stratified by MedQuAD source when data.split.stratify) and the
// spec's per-split limits, taken from the front of each already shuffled split.
import { Effect } from "effect"
import { datasetHash, loadMedQuAD, seededSplit, type QAExample } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { emptySplitError } from "../../empty-split.ts"
import { isQADatasetKind, Registry, type QADatasetKind } from "@peftlab/plugin-api"
import type { RegistryError } from "@peftlab/core"

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

/** Loads the spec's QA data (data.kind looked up in the run's Registry), splits and limits it. */
export const prepareQAData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const registry = yield* Registry
    const kind = yield* Effect.try({ try: () => registry.get("datasets", data.kind), catch: (error) => error as RegistryError })
    // The registry check has matched the data kind to the task (checkRegisteredNames).
    if (!isQADatasetKind(kind)) return yield* Effect.die(new Error(`data.kind ${kind.name} gives labelled examples, not question-answer pairs`))
    const { examples, report } = yield* kind.load(data)
    const full = seededSplit(examples, data.split, data.split.seed, data.split.stratify ? (e) => e.metadata.source ?? "" : undefined)
    const limit = (split: keyof QASplits) => full[split].slice(0, data.limit?.[split] ?? full[split].length)
    const splits: QASplits = { train: limit("train"), val: limit("val"), test: limit("test") }
    const empty = emptySplitError(data.path, splits, examples.length, report)
    if (empty) return yield* Effect.fail(empty)
    return { splits, labels: [] as ReadonlyArray<string>, report, hash: datasetHash(examples) }
  })
