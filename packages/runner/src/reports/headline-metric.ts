// The metric a run's summary judges arms by, for report.md and report.html alike.
import { type ExperimentSpec, isGenerativeQa, isSpanExtraction } from "@peftlab/spec"

export const headlineMetricOf = (spec: ExperimentSpec): string =>
  isGenerativeQa(spec.task) ? "rougeL" : isSpanExtraction(spec.task) ? "micro_f1" : "macro_f1"
