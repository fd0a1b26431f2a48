// The metric a run's summary judges arms by, for report.md and report.html alike: the task kind's.
import type { ExperimentSpec } from "@peftlab/spec"
import { taskKindOf } from "../tasks/task-kinds.ts"

export const headlineMetricOf = (spec: ExperimentSpec): string => taskKindOf(spec.task).headlineMetric
