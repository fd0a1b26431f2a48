// The cross-field rules of a generative-qa task, in the order checks.ts reports them, and the
// guard that narrows a spec's task to it.
import { renderFound } from "../errors.ts"
import type { DecodedSpec, GenerativeQaTaskSpec } from "../schema.ts"
import { noSpanExtractionSettings, placeholderNames, type TaskRule } from "./task-rule.ts"

/** Whether the spec's task is generative QA. */
export const isGenerativeQa = (task: DecodedSpec["task"]): task is GenerativeQaTaskSpec => task.kind === "generative-qa"

/** A QA instruction needs {question}, the only field it has. */
const templatePlaceholdersValid: TaskRule<GenerativeQaTaskSpec> = (_spec, task) => {
  const names = placeholderNames(task.template)
  const valid = names.includes("question") && names.every((name) => name !== undefined && name === "question")
  return valid ? [] : [{ path: ["task", "template"], expected: "a template with {question} and no other placeholders", found: renderFound(task.template) }]
}

/** Generative QA is evaluated on generated answers and validated by response NLL only. */
const generativeQaSettings: TaskRule<GenerativeQaTaskSpec> = (spec) => [
  ...(spec.evaluation.mode === "generate" ? [] : [{ path: ["evaluation", "mode"], expected: "generate (a generative-qa task is evaluated on generated answers)", found: renderFound(spec.evaluation.mode) }]),
  ...(spec.training.select_by === "loss" ? [] : [{ path: ["training", "select_by"], expected: "loss (a generative-qa task is validated by response NLL)", found: renderFound(spec.training.select_by) }]),
]

export const generativeQaRules: ReadonlyArray<TaskRule<GenerativeQaTaskSpec>> = [templatePlaceholdersValid, generativeQaSettings, noSpanExtractionSettings]
