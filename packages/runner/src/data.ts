// The spec's data section: load, clean, split and (for quick runs) subset.
import { Effect } from "effect"
import { SpecDataMismatch } from "./encode.ts"
import { datasetHash, loadPubMedQA, stratifiedSplit, stratifiedSubset, type ClassificationExample, type LoadReport } from "@peftlab/datasets"
import type { ExperimentSpec } from "@peftlab/spec"

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

export const prepareData = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const { data } = spec
    const { examples, report } = yield* loadPubMedQA(data.path, {
      fields: data.fields,
      dropLabels: data.cleaning.drop_labels,
      lowercaseLabels: data.cleaning.lowercase_labels,
      dedupe: data.cleaning.dedupe,
      dropEmpty: data.cleaning.drop_empty,
    })
    const labels = Object.keys(spec.task.labels)
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
    const empty = (Object.keys(splits) as Array<keyof Splits>).find((name) => splits[name].length === 0)
    if (empty) {
      return yield* Effect.fail(
        new SpecDataMismatch({ source: data.path, detail: `data.split.${empty} leaves no examples out of ${examples.length}; give it a larger fraction` }),
      )
    }
    return { splits, labels, report, hash: datasetHash(examples) } satisfies PreparedData
  })
