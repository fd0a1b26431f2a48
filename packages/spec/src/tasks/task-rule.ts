// The shape of a task kind's cross-field rules (classification.ts, generative-qa.ts,
// span-extraction.ts, looked up by task.kind in index.ts), and the rules two kinds share: a
// rule sees the decoded spec and its task, already narrowed to the kind's own task spec.
import { type FieldIssue, renderFound } from "../errors.ts"
import type { DecodedSpec } from "../schema.ts"

export type TaskRule<Task> = (spec: DecodedSpec, task: Task) => Array<FieldIssue>

const placeholder = /\{([^{}]*)\}/g

/** The names of a template's `{placeholders}`, in order. */
export const placeholderNames = (template: string): Array<string | undefined> => Array.from(template.matchAll(placeholder), (match) => match[1])

/** The stemmer is ROUGE's, and only a generative-qa task's answers are scored with ROUGE. */
export const rougeStemmerOff: TaskRule<unknown> = (spec) =>
  spec.evaluation.rouge_stemmer
    ? [{ path: ["evaluation", "rouge_stemmer"], expected: "false (ROUGE scores only the answers of task.kind generative-qa)", found: renderFound(true) }]
    : []

/** BERTScore, like ROUGE, scores generated answers: only a generative-qa task has them. */
export const noBertScore: TaskRule<unknown> = (spec) =>
  spec.evaluation.bertscore === undefined
    ? []
    : [{ path: ["evaluation", "bertscore"], expected: "no bertscore (BERTScore scores only the generated answers of task.kind generative-qa)", found: renderFound(spec.evaluation.bertscore) }]

/** Only span extraction is evaluated by extracting spans and validated by micro-F1. */
export const noSpanExtractionSettings: TaskRule<unknown> = (spec) => {
  const { mode } = spec.evaluation
  const { select_by } = spec.training
  return [
    ...(mode === "extract" ? [{ path: ["evaluation", "mode"], expected: "label-score or generate (extract is for task.kind span-extraction)", found: renderFound(mode) }] : []),
    ...(select_by === "micro_f1" ? [{ path: ["training", "select_by"], expected: "macro_f1, accuracy or loss (micro_f1 is for task.kind span-extraction)", found: renderFound(select_by) }] : []),
  ]
}
