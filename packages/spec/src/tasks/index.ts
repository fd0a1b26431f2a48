// The cross-field rules of the spec's task, looked up by task.kind (classification when it is
// absent): each task kind lists its own rules in its file here; checks.ts keeps the general ones.
import type { FieldIssue } from "../errors.ts"
import type { DecodedSpec } from "../schema.ts"
import { classificationRules } from "./classification.ts"
import { generativeQaRules } from "./generative-qa.ts"
import { spanExtractionRules } from "./span-extraction.ts"
import type { TaskRule } from "./task-rule.ts"

const issuesOf = <Task>(spec: DecodedSpec, task: Task, rules: ReadonlyArray<TaskRule<Task>>): Array<FieldIssue> => rules.flatMap((rule) => rule(spec, task))

/** The issues of the spec's task by its kind's rules. */
export const taskIssues = (spec: DecodedSpec): Array<FieldIssue> => {
  const { task } = spec
  switch (task.kind) {
    case "generative-qa":
      return issuesOf(spec, task, generativeQaRules)
    case "span-extraction":
      return issuesOf(spec, task, spanExtractionRules)
    default:
      return issuesOf(spec, task, classificationRules)
  }
}
