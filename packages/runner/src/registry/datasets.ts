// The built-in data kinds: PubMedQA's JSON, MedQuAD's XML tree (question-answer pairs),
// entity spans (CoNLL BIO files, JSONL with character offsets), and classification files (CSV, TSV, JSONL) whose
// columns the spec maps: `context` holds the text to classify, `label` its label, and the
// optional `question` and `id` a second text and the example ids.
import { loadClassificationFile, loadPubMedQA, type RecordFormat } from "@peftlab/datasets"
import type { AnyDatasetKind, DatasetKind } from "@peftlab/plugin-api"
import type { ExperimentSpec } from "@peftlab/spec"
import { medquadKind } from "../tasks/generative-qa/qa-data.ts"
import { bioKind, jsonlSpansKind } from "../tasks/span-extraction/span-data.ts"

type Cleaning = ExperimentSpec["data"]["cleaning"]

const cleaningOptions = (cleaning: Cleaning) => ({
  dropLabels: cleaning.drop_labels,
  lowercaseLabels: cleaning.lowercase_labels,
  dedupe: cleaning.dedupe,
  dropEmpty: cleaning.drop_empty,
})

export const pubmedqaKind: DatasetKind = {
  name: "pubmedqa",
  fields: { required: [], optional: ["question", "context", "label"] },
  load: (data) =>
    loadPubMedQA(data.path, {
      fields: { question: data.fields.question, context: data.fields.context, label: data.fields.label },
      ...cleaningOptions(data.cleaning),
    }),
}

const classificationFileKind = (format: RecordFormat): DatasetKind => ({
  name: format,
  fields: { required: ["context", "label"], optional: ["question", "id"] },
  load: (data) => {
    const { context, label, question, id } = data.fields
    return loadClassificationFile(data.path, {
      format,
      // The registry check has made sure that a spec of this kind maps both.
      fields: { text: context as string, label: label as string, question, id },
      ...cleaningOptions(data.cleaning),
    })
  },
})

export const builtinDatasetKinds: ReadonlyArray<AnyDatasetKind> = [
  pubmedqaKind,
  ...(["csv", "tsv", "jsonl"] as const).map(classificationFileKind),
  medquadKind,
  bioKind,
  jsonlSpansKind,
]
