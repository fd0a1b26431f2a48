// Rules that involve more than one field, checked once every field has the right type: the
// general ones here, then the task kind's own (tasks/, looked up by task.kind). A method arm's
// rules among its own options are its method's (checkOptions, in the runner's registry).
import { type FieldIssue, renderFound } from "./errors.ts"
import type { ConcreteArm, DecodedSpec } from "./schema.ts"
import { taskIssues } from "./tasks/index.ts"

const splitTolerance = 1e-9

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

/** `expanded`: the arms after sweeps and seeds (see expandArms). */
export const crossFieldIssues = (spec: DecodedSpec, expanded: ReadonlyArray<ConcreteArm>): ReadonlyArray<FieldIssue> => [
  ...uniqueArmNames(spec),
  ...(uniqueArmNames(spec).length === 0 ? uniqueExpandedNames(spec, expanded) : []),
  ...baselineIsAnArm(spec, expanded),
  ...splitSumsToOne(spec),
  ...maxNewTokensWhenGenerating(spec),
  ...taskIssues(spec),
]
