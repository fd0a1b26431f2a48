// The task kinds, and the one place the spec's is chosen: by task.kind, classification when it
// is absent. Everything that differs by kind is a call on the TaskKind found here.
import type { Comparison } from "@peftlab/reporters"
import type { ExperimentSpec } from "@peftlab/spec"
import type { FinishedArm } from "../output-folder.ts"
import { classificationTaskKind } from "./classification/classification-task-kind.ts"
import { generativeQaTaskKind } from "./generative-qa/generative-qa-task-kind.ts"
import { spanExtractionTaskKind } from "./span-extraction/span-extraction-task-kind.ts"
import type { TaskKind } from "./task-kind.ts"

export const taskKinds: ReadonlyArray<TaskKind> = [classificationTaskKind, generativeQaTaskKind, spanExtractionTaskKind]

const byName = new Map(taskKinds.map((kind) => [kind.name, kind]))

/** The spec's task kind. */
export const taskKindOf = (task: ExperimentSpec["task"]): TaskKind => byName.get(task.kind ?? "classification") as TaskKind

/** The task kind that reads what a data kind gives (each kind of data is for one task kind). */
export const taskKindReading = (produces: TaskKind["data"]["produces"]): TaskKind => taskKinds.find((kind) => kind.data.produces === produces) as TaskKind

/** The task's data and how to load its model and build its ArmTask, with the run's Registry. */
export const prepareTask = (spec: ExperimentSpec) => taskKindOf(spec.task).prepare(spec)

/** Every finished arm against the spec's baseline, with the task's own tests. */
export const compareFinished = (spec: ExperimentSpec, labels: ReadonlyArray<string>, finished: ReadonlyArray<FinishedArm>): Array<Comparison> =>
  taskKindOf(spec.task).compare(spec, labels, finished)
