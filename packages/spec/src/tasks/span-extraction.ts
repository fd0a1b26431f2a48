// The cross-field rules of a span-extraction task, in the order checks.ts reports them, and the
// guard that narrows a spec's task to it.
import { renderFound } from "../errors.ts"
import { relationQuestionPlaceholders, type DecodedSpec, type SpanExtractionTaskSpec } from "../schema.ts"
import { noBertScore, placeholderNames, rougeStemmerOff, type TaskRule } from "./task-rule.ts"

/** Whether the spec's task is span extraction. */
export const isSpanExtraction = (task: DecodedSpec["task"]): task is SpanExtractionTaskSpec => task.kind === "span-extraction"

/** A span-extraction task trains a head beside the adapter, which PEFT's adapter files do not hold. */
const adapterArmsFitTask: TaskRule<SpanExtractionTaskSpec> = (spec) =>
  spec.arms.flatMap((arm, index) =>
    arm.kind === "adapter"
      ? [{ path: ["arms", index, "kind"], expected: "an arm kind other than adapter (a span-extraction task needs its answer head, which PEFT adapter files do not hold)", found: renderFound(arm.kind) }]
      : [],
  )

/** Span questions need {type}. */
const questionTemplateHasType: TaskRule<SpanExtractionTaskSpec> = (_spec, task) =>
  task.question_template.includes("{type}")
    ? []
    : [{ path: ["task", "question_template"], expected: "a question with {type}, so each entity type is asked its own question", found: renderFound(task.question_template) }]

/** Span extraction is evaluated by extracting spans and validated by micro-F1 or loss. */
const spanExtractionSettings: TaskRule<SpanExtractionTaskSpec> = (spec) => {
  const { mode } = spec.evaluation
  const { select_by } = spec.training
  return [
    ...(mode === "extract" ? [] : [{ path: ["evaluation", "mode"], expected: "extract (a span-extraction task is evaluated on extracted spans)", found: renderFound(mode) }]),
    ...(select_by === "micro_f1" || select_by === "loss"
      ? []
      : [{ path: ["training", "select_by"], expected: "micro_f1 or loss (a span-extraction task is validated by strict micro-F1 or its loss)", found: renderFound(select_by) }]),
  ]
}

/** A relation question names its head ({head}), and holds no placeholder but the relation's. */
const relationQuestionsValid: TaskRule<SpanExtractionTaskSpec> = (_spec, task) => {
  if (!task.relations) return []
  const valid = (question: string) => {
    const names = placeholderNames(question)
    return names.includes("head") && names.every((name) => (relationQuestionPlaceholders as ReadonlyArray<string | undefined>).includes(name))
  }
  const expected = `a question with {head} and no placeholders other than ${relationQuestionPlaceholders.map((name) => `{${name}}`).join(", ")}, so each head entity is asked its own question`
  const { question_template, types } = task.relations
  return [
    ...(valid(question_template) ? [] : [{ path: ["task", "relations", "question_template"], expected, found: renderFound(question_template) }]),
    ...Object.entries(types).flatMap(([relation, { question }]) =>
      question === undefined || valid(question) ? [] : [{ path: ["task", "relations", "types", relation, "question"], expected, found: renderFound(question) }],
    ),
  ]
}

export const spanExtractionRules: ReadonlyArray<TaskRule<SpanExtractionTaskSpec>> = [
  adapterArmsFitTask,
  rougeStemmerOff,
  noBertScore,
  questionTemplateHasType,
  relationQuestionsValid,
  spanExtractionSettings,
]
