// Sweeps and seeds: an arm with `sweep` becomes one arm per combination of its listed values,
// named after them (lora-r8-lr0.0001), and with `seeds` every arm that trains runs once per seed
// (...-seed1). Each swept value is checked as the arm's own field would be, and a wrong one is
// reported at its place in the sweep (a method's fields by the runner, which has the method).
import { Result, Schema } from "effect"
import { type FieldIssue, renderFound } from "./errors.ts"
import { ArmSpec, isBuiltinArm, trainingOverrideKeys, type ConcreteArm, type DecodedSpec } from "./schema.ts"
import { fieldIssues } from "./schema-issues.ts"

type SweepValue = string | number | boolean

const decodeArm = Schema.decodeUnknownResult(ArmSpec, { errors: "all", onExcessProperty: "error" })

const trainingPrefix = "training."

/** `{ ...arm, r: 16 }` or `{ ...arm, training: { ...arm.training, lr: 2e-4 } }`. */
export const withSweptValue = (arm: Record<string, unknown>, key: string, value: SweepValue): Record<string, unknown> =>
  key.startsWith(trainingPrefix)
    ? { ...arm, training: { ...(arm["training"] as object | undefined), [key.slice(trainingPrefix.length)]: value } }
    : { ...arm, [key]: value }

/** A short, file-name-safe rendering of one swept value, e.g. r8, lr0.0002, use_rsloratrue. */
const nameOf = (key: string, value: SweepValue): string => {
  const short = key.startsWith(trainingPrefix) ? key.slice(trainingPrefix.length) : key
  return `${short}${String(value).replace(/[^A-Za-z0-9.+-]/g, "_")}`
}

const combinations = (sweep: ReadonlyArray<readonly [string, ReadonlyArray<SweepValue>]>): Array<Array<readonly [string, SweepValue]>> =>
  sweep.reduce<Array<Array<readonly [string, SweepValue]>>>(
    (partial, [key, values]) => partial.flatMap((combo) => values.map((value) => [...combo, [key, value] as const])),
    [[]],
  )

/** Problems with one sweep key, or with one of its values, at their place in the spec. */
const sweepIssues = (arm: Record<string, unknown>, index: number, key: string, values: ReadonlyArray<SweepValue>): Array<FieldIssue> => {
  const at = ["arms", index, "sweep", key]
  const setting = key.slice(trainingPrefix.length)
  // A method arm's own fields, and the values swept over them, are its method's to check (the runner's registry).
  if (!isBuiltinArm(arm as ArmSpec) && !key.startsWith(trainingPrefix) && !["name", "kind", "training"].includes(key)) return []
  const known = key.startsWith(trainingPrefix) ? (trainingOverrideKeys as ReadonlyArray<string>).includes(setting) : key in arm && !["name", "kind", "training"].includes(key)
  if (!known) {
    return [{ path: at, at: "key", expected: `a field this arm sets, or training.<${trainingOverrideKeys.join("|")}>`, found: renderFound(key) }]
  }
  return values.flatMap((value, j) => {
    const decoded = decodeArm(withSweptValue(arm, key, value))
    if (Result.isSuccess(decoded)) return []
    return fieldIssues(decoded.failure.issue, withSweptValue(arm, key, value), ArmSpec.ast).map((issue) => ({ ...issue, path: [...at, j] }))
  })
}

/** The arms the runner runs, or the issues that stop the spec from expanding. */
export const expandArms = (spec: DecodedSpec): { readonly arms: ReadonlyArray<ConcreteArm>; readonly issues: ReadonlyArray<FieldIssue> } => {
  const issues: Array<FieldIssue> = []
  const arms = spec.arms.flatMap((written, index): Array<ConcreteArm> => {
    const { sweep, ...fixed } = written as ArmSpec & { sweep?: Record<string, ReadonlyArray<SweepValue>> }
    const entries = Object.entries(sweep ?? {})
    const found = entries.flatMap(([key, values]) => sweepIssues(fixed, index, key, values))
    issues.push(...found)
    if (found.length > 0) return []
    const configs = combinations(entries).map((combo) => {
      const config = [written.name, ...combo.map(([key, value]) => nameOf(key, value))].join("-")
      const values = combo.reduce<Record<string, unknown>>((arm, [key, value]) => withSweptValue(arm, key, value), fixed)
      return { ...(values as ConcreteArm), name: config, group: written.name, config }
    })
    // The frozen base and an existing adapter have nothing random in them: one run stands for every seed.
    if (spec.seeds === undefined || written.kind === "base" || written.kind === "adapter") return configs
    return configs.flatMap((arm) => spec.seeds!.map((seed) => ({ ...arm, name: `${arm.config}-seed${seed}`, seed })))
  })
  return { arms, issues }
}
