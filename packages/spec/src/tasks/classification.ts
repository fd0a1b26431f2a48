// The cross-field rules of a classification task (task.kind absent or classification), in the
// order checks.ts reports them.
import { renderFound } from "../errors.ts"
import type { ClassificationTaskSpec } from "../schema.ts"
import { noBertScore, noSpanExtractionSettings, placeholderNames, rougeStemmerOff, type TaskRule } from "./task-rule.ts"

const templatePlaceholders = ["question", "context"]

/** Two labels with the same verbalizer score the same text: the model could never tell them apart. */
const distinctVerbalizers: TaskRule<ClassificationTaskSpec> = (_spec, task) => {
  const labels = Object.entries(task.labels)
  return labels.flatMap(([label, text], index) => {
    const first = labels.findIndex(([, other]) => other === text)
    return first === index
      ? []
      : [{ path: ["task", "labels", label], expected: `a verbalizer no other label has (label ${JSON.stringify(labels[first]![0])} is also ${JSON.stringify(text)})`, found: renderFound(text) }]
  })
}

/** Classification templates need {context}, and may also hold {question}. */
const templatePlaceholdersValid: TaskRule<ClassificationTaskSpec> = (_spec, task) => {
  const names = placeholderNames(task.template)
  const valid = names.includes("context") && names.every((name) => name !== undefined && templatePlaceholders.includes(name))
  return valid ? [] : [{ path: ["task", "template"], expected: "a template with {context} and no placeholders other than {question} and {context}", found: renderFound(task.template) }]
}

export const classificationRules: ReadonlyArray<TaskRule<ClassificationTaskSpec>> = [distinctVerbalizers, rougeStemmerOff, noBertScore, templatePlaceholdersValid, noSpanExtractionSettings]
