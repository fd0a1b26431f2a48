// A classification task's data: labelled examples loaded and cleaned by the spec's data kind,
// split stratified by label and (for quick runs) subset.
import { Effect } from "effect"
import type { RegistryError } from "@peftlab/core"
import { datasetHash, stratifiedSplit, stratifiedSubset, type ClassificationExample, type LoadReport } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"
import { classificationTaskOf } from "./encode.ts"
import { emptySplitError } from "../../empty-split.ts"
import { isLabelDatasetKind, producedBy, Registry } from "@peftlab/plugin-api"
import { SpecDataMismatch } from "../../spec-data-mismatch.ts"

export interface Splits {
  readonly train: ReadonlyArray<ClassificationExample>
  readonly val: ReadonlyArray<ClassificationExample>
  readonly test: ReadonlyArray<ClassificationExample>
}

export interface PreparedData {
  readonly splits: Splits
  readonly labels: ReadonlyArray<string>
  readonly report: LoadReport
  /** sha256 of the cleaned examples before splitting. */
  readonly hash: string
}

/** data.kind is looked up in the run's Registry (the built-ins, and the kinds the spec's plugins add). */
export const prepareClassificationData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const registry = yield* Registry
    const kind = yield* Effect.try({ try: () => registry.get("datasets", data.kind), catch: (error) => error as RegistryError })
    // The registry check has matched the data kind to the task (checkRegisteredNames).
    if (!isLabelDatasetKind(kind)) return yield* Effect.die(new Error(`data.kind ${kind.name} gives ${producedBy(kind)}, not labelled examples`))
    const { examples, report } = yield* kind.load(data)
    const labels = Object.keys(classificationTaskOf(spec).labels)
    const unknown = examples.find((e) => !labels.includes(e.label))
    if (unknown) {
      return yield* Effect.fail(
        new SpecDataMismatch({
          source: data.path,
          detail: `example ${unknown.id} has label "${unknown.label}", which task.labels does not list (${labels.join(", ")}); add a verbalizer for it or drop it with data.cleaning.drop_labels`,
        }),
      )
    }
    const seed = data.split.seed ?? spec.seed
    const full = stratifiedSplit(examples, data.split, seed)
    const limit = (split: keyof Splits): ReadonlyArray<ClassificationExample> => {
      const n = data.limit?.[split]
      return n !== undefined && n < full[split].length ? stratifiedSubset(full[split], n, seed) : full[split]
    }
    const splits: Splits = { train: limit("train"), val: limit("val"), test: limit("test") }
    const empty = emptySplitError(data.path, splits, examples.length, report)
    if (empty) return yield* Effect.fail(empty)
    return { splits, labels, report, hash: datasetHash(examples) } satisfies PreparedData
  })
