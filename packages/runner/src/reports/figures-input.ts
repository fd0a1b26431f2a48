// What the figures are drawn from, for every task: the figures reporter renders it to files and
// the HTML report embeds the same specs live, so the page and figures/ never disagree. The task
// kind gives the arms' figures; the bootstrap settings are the spec's.
import type { FiguresInput } from "@peftlab/reporters"
import type { FinishedRun } from "@peftlab/plugin-api"
import { taskKindOf } from "../tasks/task-kinds.ts"

export const figuresInputOf = (run: FinishedRun): FiguresInput => ({ ...taskKindOf(run.spec.task).figures(run), bootstrap: run.spec.stats.bootstrap })
