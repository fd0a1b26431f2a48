// results.csv and results.md of a generative QA run: one row per arm with its generation
// metrics (BERTScore's P, R and F1 too when the spec asks for them), latency and trainable
// parameters, and under the table how ROUGE tokenized and stemmed. With evaluation.external_test,
// results_external.csv and .md: the same scores of each arm on that evaluation-only set.
import type { ArmResult } from "@peftlab/reporters"
import { writeResultTable } from "../../result-table.ts"
import { writeExternalResults } from "../external-test.ts"
import type { BertScoreSettings } from "./qa-bertscore.ts"
import { generationMetricNames } from "./qa-task.ts"

const bertScoreNames = ["bertscore_precision", "bertscore_recall", "bertscore_f1"] as const

/** The names a generative-qa spec may list in evaluation.metrics (results.csv shows them all). */
export const qaMetricNames: ReadonlyArray<string> = [...generationMetricNames, "latency", "trainable_params"]

/** How the ROUGE columns were computed: rouge-score's tokenizer, with or without its Porter stemmer (evaluation.rouge_stemmer). */
export const rougeSettingsNote = (stemmer: boolean): string =>
  `rouge1, rouge2, rougeL: ROUGE-1, ROUGE-2, ROUGE-L (rouge-score rules, Porter stemmer ${stemmer ? "on" : "off"}).`

/** How the BERTScore columns were computed (evaluation.bertscore). */
export const bertScoreNote = ({ model, layer, idf, baseline }: BertScoreSettings): string =>
  `bertscore_precision, bertscore_recall, bertscore_f1: BERTScore as bert-score 0.3.13 computes it, with ${model} layer ${layer}, ` +
  `${idf ? "idf weights over the references" : "uniform weights"}${baseline === undefined ? "" : `, rescaled by the baseline ${baseline}`}.`

export const writeQAResults = async (outDir: string, results: ReadonlyArray<ArmResult>, rougeStemmer: boolean, bertscore?: BertScoreSettings): Promise<void> => {
  const names = [...generationMetricNames, ...(bertscore === undefined ? [] : bertScoreNames)]
  const columns = ["arm", "kind", "n", ...names, "latency_mean_ms", "latency_p95_ms", "trainable_params"]
  const rows = results.map((r) => [r.arm, r.kind, r.n, ...names.map((name) => r.metrics?.[name] ?? Number.NaN), r.latencyMeanMs, r.latencyP95Ms, r.trainableParams])
  const notes = [rougeSettingsNote(rougeStemmer), ...(bertscore === undefined ? [] : [bertScoreNote(bertscore)])]
  await writeResultTable(outDir, columns, rows, notes)
  await writeExternalResults(outDir, results, names, notes)
}
