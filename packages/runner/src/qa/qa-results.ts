// results.csv and results.md of a generative QA run: one row per arm with its generation
// metrics, latency and trainable parameters, and under the table how ROUGE tokenized and stemmed.
import type { ArmResult } from "@peftlab/reporters"
import { writeResultTable } from "../result-table.ts"
import { generationMetricNames } from "./qa-task.ts"

export const qaResultColumns = ["arm", "kind", "n", ...generationMetricNames, "latency_mean_ms", "latency_p95_ms", "trainable_params"] as const

/** The names a generative-qa spec may list in evaluation.metrics (results.csv shows them all). */
export const qaMetricNames: ReadonlyArray<string> = [...generationMetricNames, "latency", "trainable_params"]

const rowOf = (r: ArmResult): Array<string | number> => [
  r.arm,
  r.kind,
  r.n,
  ...generationMetricNames.map((name) => r.metrics?.[name] ?? Number.NaN),
  r.latencyMeanMs,
  r.latencyP95Ms,
  r.trainableParams,
]

/** How the ROUGE columns were computed: rouge-score's tokenizer, with or without its Porter stemmer (evaluation.rouge_stemmer). */
export const rougeSettingsNote = (stemmer: boolean): string =>
  `rouge1, rouge2, rougeL: ROUGE-1, ROUGE-2, ROUGE-L (rouge-score rules, Porter stemmer ${stemmer ? "on" : "off"}).`

export const writeQAResults = (outDir: string, results: ReadonlyArray<ArmResult>, rougeStemmer: boolean): Promise<void> =>
  writeResultTable(outDir, qaResultColumns, results.map(rowOf), [rougeSettingsNote(rougeStemmer)])
