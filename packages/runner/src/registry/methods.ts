// Method plugins (@peftlab/plugin-api's MethodPlugin) in the run: an arm whose kind no built-in
// adapter kind has is a plugin arm, run by the method registered under that kind. Its kind and
// its options (decoded by the method's own Schema) are checked with the spec's other registered
// names, before the model loads; its options against the model (check) before any arm runs.
import { Result, Schema } from "effect"
import type { MethodPlugin } from "@peftlab/plugin-api"
import { fieldIssues, isBuiltinArm, pluginArmOptions, renderFound, type ArmSpec, type ConcreteArm, type FieldIssue, type LoadedSpec } from "@peftlab/spec"
import type { AdapterContext } from "../arms.ts"
import type { AdapterKind, PeftlabRegistry } from "./entries.ts"
import { writtenIndexOf } from "../written-arm.ts"

const decodeWith = (method: MethodPlugin<any>) => Schema.decodeUnknownResult(method.options, { errors: "all", onExcessProperty: "error" })

/** A plugin arm's options as its method decodes them; the run checked them first (pluginArmIssues), so a failure is a bug. */
const optionsOf = (method: MethodPlugin<any>, arm: ArmSpec): unknown => {
  const decoded = decodeWith(method)(pluginArmOptions(arm))
  if (Result.isFailure(decoded)) throw new Error(`arm ${arm.name}: options of ${method.name} were not checked before the run: ${decoded.failure.message}`)
  return decoded.success
}

/** The adapter kind that runs arms of a method plugin's kind. */
const methodAdapterKind = (method: MethodPlugin<any>): AdapterKind => ({
  name: method.name,
  create: async (arm, { model, rng, modelPath }: AdapterContext) => {
    const adapter = method.create(model, optionsOf(method, arm), { rng, modelPath })
    return { adapter, release: () => adapter.dispose() }
  },
})

/** What builds an arm of `kind`: a built-in adapter kind, else the method registered under it. */
export const adapterKindOf = (registry: PeftlabRegistry, kind: string): AdapterKind =>
  registry.has("adapters", kind) ? registry.get("adapters", kind) : methodAdapterKind(registry.get("methods", kind))

/** Every arm kind the run knows: built-in ones, then the methods plugins registered. */
export const armKindNames = (registry: PeftlabRegistry): ReadonlyArray<string> => [...registry.names("adapters"), ...registry.names("methods")]

/** A plugin arm whose kind nobody registered, or whose options its method's Schema refuses, each at arms[i].<field>. */
export const pluginArmIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const indexOf = writtenIndexOf(loaded.spec)
  const issues = loaded.spec.arms.flatMap((arm): Array<FieldIssue> => {
    if (isBuiltinArm(arm)) return []
    const at = ["arms", indexOf(arm)]
    if (!registry.has("methods", arm.kind)) return [{ path: [...at, "kind"], expected: `one of ${armKindNames(registry).join(", ")}`, found: renderFound(arm.kind) }]
    const method = registry.get("methods", arm.kind)
    const options = pluginArmOptions(arm)
    const decoded = decodeWith(method)(options)
    return Result.isSuccess(decoded) ? [] : fieldIssues(decoded.failure.issue, options, method.options.ast).map((issue) => ({ ...issue, path: [...at, ...issue.path] }))
  })
  // Sweeps and seeds expand one written arm into several: each problem once.
  return [...new Map(issues.map((issue) => [JSON.stringify([issue.path, issue.expected, issue.found]), issue])).values()]
}

/** A plugin arm's options that this model cannot honour (its method's check), at arms[i].<field>. */
export const pluginArmModelIssues = (arm: ConcreteArm, index: number, registry: PeftlabRegistry, model: AdapterContext["model"]): Array<FieldIssue> => {
  if (isBuiltinArm(arm)) return []
  const method = registry.get("methods", arm.kind)
  const options = optionsOf(method, arm)
  return (method.check?.(model, options) ?? []).map(({ field, expected, message }) => ({
    path: ["arms", index, field],
    expected,
    found: renderFound(pluginArmOptions(arm)[field]),
    message,
  }))
}

/** A plugin arm's line in `peftlab run --dry-run`, by its method. */
export const describePluginArm = (registry: PeftlabRegistry, arm: ArmSpec): string => {
  const method = registry.get("methods", arm.kind)
  return method.describe(optionsOf(method, arm))
}
