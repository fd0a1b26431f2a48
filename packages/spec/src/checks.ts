// Rules that involve more than one field, checked once every field has the right type.
import { type FieldIssue, renderFound } from "./errors.ts"
import { isBuiltinArm, isGenerativeQa, isSpanExtraction, type ConcreteArm, type DecodedSpec } from "./schema.ts"

const splitTolerance = 1e-9
const placeholder = /\{([^{}]*)\}/g
const templatePlaceholders = ["question", "context"]

const uniqueArmNames = (spec: DecodedSpec): Array<FieldIssue> =>
  spec.arms.flatMap((arm, index) => {
    const first = spec.arms.findIndex((other) => other.name === arm.name)
    return first === index
      ? []
      : [{ path: ["arms", index, "name"], expected: `a name no other arm has (arms[${first}] is also named ${JSON.stringify(arm.name)})`, found: renderFound(arm.name) }]
  })

/** Names made by sweeps and seeds may meet a written name, or each other. */
const uniqueExpandedNames = (spec: DecodedSpec, expanded: ReadonlyArray<ConcreteArm>): Array<FieldIssue> => {
  const groups = new Map<string, Set<string>>()
  for (const arm of expanded) groups.set(arm.name, (groups.get(arm.name) ?? new Set()).add(arm.group))
  return [...groups].flatMap(([name, from]) => {
    if (from.size < 2) return []
    const index = spec.arms.findIndex((arm) => from.has(arm.name) && arm.name !== name)
    return [{ path: ["arms", Math.max(index, 0), "name"], expected: `arms whose expanded names differ (${[...from].join(" and ")} both give ${JSON.stringify(name)})`, found: renderFound(spec.arms[Math.max(index, 0)]?.name) }]
  })
}

const baselineIsAnArm = (spec: DecodedSpec, expanded: ReadonlyArray<ConcreteArm>): Array<FieldIssue> => {
  const names = expanded.map((arm) => arm.name)
  return names.includes(spec.stats.baseline)
    ? []
    : [{ path: ["stats", "baseline"], expected: `the name of an arm (one of ${names.join(", ")})`, found: renderFound(spec.stats.baseline) }]
}

const initTextWhenTextInit = (spec: DecodedSpec): Array<FieldIssue> =>
  spec.arms.flatMap((arm, index) =>
    isBuiltinArm(arm) && arm.kind === "prompt" && arm.init === "text" && arm.init_text === undefined
      ? [{ path: ["arms", index, "init_text"], expected: "a non-empty text (required when init is text)", found: renderFound(undefined) }]
      : [],
  )

/** PEFT saves prefix rows through the projection, so they cannot seed the projection's MLP. */
const initFromWithoutProjection = (spec: DecodedSpec): Array<FieldIssue> =>
  spec.arms.flatMap((arm, index) =>
    isBuiltinArm(arm) && arm.kind === "prefix" && arm.init_from !== undefined && arm.prefix_projection
      ? [{ path: ["arms", index, "prefix_projection"], expected: "false with init_from (a saved prefix holds its rows after the projection, not the projection's MLP)", found: renderFound(true) }]
      : [],
  )

/** A span-extraction task trains a head beside the adapter, which PEFT's adapter files do not hold. */
const adapterArmsFitTask = (spec: DecodedSpec): Array<FieldIssue> =>
  isSpanExtraction(spec.task)
    ? spec.arms.flatMap((arm, index) =>
        arm.kind === "adapter"
          ? [{ path: ["arms", index, "kind"], expected: "an arm kind other than adapter (a span-extraction task needs its answer head, which PEFT adapter files do not hold)", found: renderFound(arm.kind) }]
          : [],
      )
    : []

/** Two labels with the same verbalizer score the same text: the model could never tell them apart. */
const distinctVerbalizers = (spec: DecodedSpec): Array<FieldIssue> => {
  if (isGenerativeQa(spec.task) || isSpanExtraction(spec.task)) return []
  const labels = Object.entries(spec.task.labels)
  return labels.flatMap(([label, text], index) => {
    const first = labels.findIndex(([, other]) => other === text)
    return first === index
      ? []
      : [{ path: ["task", "labels", label], expected: `a verbalizer no other label has (label ${JSON.stringify(labels[first]![0])} is also ${JSON.stringify(text)})`, found: renderFound(text) }]
  })
}

const splitSumsToOne = (spec: DecodedSpec): Array<FieldIssue> => {
  const { train, val, test } = spec.data.split
  const sum = train + val + test
  // Rounded so that float noise (0.1 + 0.2) does not show up in the message.
  return Math.abs(sum - 1) <= splitTolerance
    ? []
    : [{ path: ["data", "split"], expected: "train + val + test to sum to 1", found: renderFound(Number(sum.toPrecision(12))) }]
}

const maxNewTokensWhenGenerating = (spec: DecodedSpec): Array<FieldIssue> =>
  spec.evaluation.mode === "generate" && spec.evaluation.max_new_tokens === undefined
    ? [{ path: ["evaluation", "max_new_tokens"], expected: "a positive integer (required when mode is generate)", found: renderFound(undefined) }]
    : []

/** The stemmer is ROUGE's, and only a generative-qa task's answers are scored with ROUGE. */
const rougeStemmerOnGeneratedAnswers = (spec: DecodedSpec): Array<FieldIssue> =>
  spec.evaluation.rouge_stemmer && !isGenerativeQa(spec.task)
    ? [{ path: ["evaluation", "rouge_stemmer"], expected: "false (ROUGE scores only the answers of task.kind generative-qa)", found: renderFound(true) }]
    : []

/** Classification templates need {context}; a QA instruction needs {question}, the only field it has; span questions need {type}. */
const templatePlaceholdersValid = (spec: DecodedSpec): Array<FieldIssue> => {
  const { task } = spec
  if (isSpanExtraction(task)) {
    return task.question_template.includes("{type}")
      ? []
      : [{ path: ["task", "question_template"], expected: "a question with {type}, so each entity type is asked its own question", found: renderFound(task.question_template) }]
  }
  const names = Array.from(task.template.matchAll(placeholder), (match) => match[1])
  const [required, allowed, expected] = isGenerativeQa(spec.task)
    ? ["question", ["question"], "a template with {question} and no other placeholders"]
    : ["context", templatePlaceholders, "a template with {context} and no placeholders other than {question} and {context}"]
  const valid = names.includes(required) && names.every((name) => name !== undefined && allowed.includes(name))
  return valid ? [] : [{ path: ["task", "template"], expected, found: renderFound(task.template) }]
}

/** Generative QA is evaluated on generated answers and validated by response NLL only. */
const generativeQaSettings = (spec: DecodedSpec): Array<FieldIssue> =>
  isGenerativeQa(spec.task)
    ? [
        ...(spec.evaluation.mode === "generate" ? [] : [{ path: ["evaluation", "mode"], expected: "generate (a generative-qa task is evaluated on generated answers)", found: renderFound(spec.evaluation.mode) }]),
        ...(spec.training.select_by === "loss" ? [] : [{ path: ["training", "select_by"], expected: "loss (a generative-qa task is validated by response NLL)", found: renderFound(spec.training.select_by) }]),
      ]
    : []

/** Span extraction is evaluated by extracting spans and validated by micro-F1 or loss; only it is. */
const spanExtractionSettings = (spec: DecodedSpec): Array<FieldIssue> => {
  const { mode } = spec.evaluation
  const { select_by } = spec.training
  if (isSpanExtraction(spec.task)) {
    return [
      ...(mode === "extract" ? [] : [{ path: ["evaluation", "mode"], expected: "extract (a span-extraction task is evaluated on extracted spans)", found: renderFound(mode) }]),
      ...(select_by === "micro_f1" || select_by === "loss"
        ? []
        : [{ path: ["training", "select_by"], expected: "micro_f1 or loss (a span-extraction task is validated by strict micro-F1 or its loss)", found: renderFound(select_by) }]),
    ]
  }
  return [
    ...(mode === "extract" ? [{ path: ["evaluation", "mode"], expected: "label-score or generate (extract is for task.kind span-extraction)", found: renderFound(mode) }] : []),
    ...(select_by === "micro_f1" ? [{ path: ["training", "select_by"], expected: "macro_f1, accuracy or loss (micro_f1 is for task.kind span-extraction)", found: renderFound(select_by) }] : []),
  ]
}

/** `expanded`: the arms after sweeps and seeds (see expandArms). */
export const crossFieldIssues = (spec: DecodedSpec, expanded: ReadonlyArray<ConcreteArm>): ReadonlyArray<FieldIssue> => [
  ...uniqueArmNames(spec),
  ...(uniqueArmNames(spec).length === 0 ? uniqueExpandedNames(spec, expanded) : []),
  ...baselineIsAnArm(spec, expanded),
  ...initTextWhenTextInit(spec),
  ...initFromWithoutProjection(spec),
  ...adapterArmsFitTask(spec),
  ...splitSumsToOne(spec),
  ...distinctVerbalizers(spec),
  ...maxNewTokensWhenGenerating(spec),
  ...rougeStemmerOnGeneratedAnswers(spec),
  ...templatePlaceholdersValid(spec),
  ...generativeQaSettings(spec),
  ...spanExtractionSettings(spec),
]
