// PEFT methods (@peftlab/plugin-api's MethodPlugin) in the run: prompt, prefix and lora built in
// (each from its adapters package), others from plugins. Every arm whose kind is not one of the
// spec's own (base, fine-tune, adapter) is a method arm, run by the method registered under its
// kind. Its kind and its options (decoded by the method's own Schema, each swept value too, and
// the method's rules among them) are checked with the spec's other registered names, before the
// model loads; its options against the model (check) before any arm runs. The run's spec holds
// each method arm's options as its method decodes them (withDecodedOptions), defaults filled.
import { Result, Schema } from "effect"
import type { Adapter } from "@peftlab/adapters-base"
import type { MethodPlugin, PeftlabRegistry, QuantizedBaseKind } from "@peftlab/plugin-api"
import {
  armKindOrder, fieldIssues, isBuiltinArm, methodArmOptions, renderFound, trainingOverrideKeys, withSweptValue,
  type ArmSpec, type ConcreteArm, type ExperimentSpec, type FieldIssue, type LoadedSpec, type MethodArmChecks,
} from "@peftlab/spec"
import { onQuantizedBase, plain, type AdapterContext, type ArmAdapter } from "../arms.ts"
import { builtinMethods } from "./builtin-methods.ts"
import { isOwnArmKind, ownArmKinds, type AdapterKind } from "./adapters.ts"
import { writtenIndexOf } from "../written-arm.ts"

const decodeWith = (method: MethodPlugin<any, any>) => Schema.decodeUnknownResult(method.options, { errors: "all", onExcessProperty: "error" })

/** A method arm's options as its method decodes them; the run checked them first (methodArmIssues), so a failure is a bug. */
const optionsOf = (method: MethodPlugin<any, any>, arm: { readonly name: string; readonly kind: string }): any => {
  const decoded = decodeWith(method)(methodArmOptions(arm))
  if (Result.isFailure(decoded)) throw new Error(`arm ${arm.name}: options of ${method.name} were not checked before the run: ${decoded.failure.message}`)
  return decoded.success
}

/** A method arm's method (among `methods`) and its decoded options; undefined for an arm of the spec's own kinds. */
export const armMethod = (
  methods: ReadonlyArray<MethodPlugin<any, any>>,
  arm: { readonly name: string; readonly kind: string },
): { readonly method: MethodPlugin<any, any>; readonly options: any } | undefined => {
  if (isBuiltinArm(arm)) return undefined
  const method = methods.find((m) => m.name === arm.kind)
  if (method === undefined) throw new Error(`arm ${arm.name}: no method ${arm.kind} was registered, yet the run's names were checked`)
  return { method, options: optionsOf(method, arm) }
}

/**
 * The quantized base an arm runs over: an adapter arm's quantize, or what a method arm's method asks
 * for (QLoRA's NF4, or int8); undefined for the base as loaded.
 */
export const armBaseQuantization = (methods: ReadonlyArray<MethodPlugin<any, any>>, arm: ArmSpec | ConcreteArm): QuantizedBaseKind | undefined => {
  if (isBuiltinArm(arm)) return arm.kind === "adapter" && arm.quantize !== "none" ? arm.quantize : undefined
  const found = armMethod(methods, arm)
  return found?.method.quantizedBase?.(found.options)
}

/** The adapter kind that runs arms of a method's kind: its adapter, over a quantized base where it asks for one. */
const methodAdapterKind = (method: MethodPlugin<any, any>): AdapterKind => ({
  name: method.name,
  create: async (arm, { model, tokenizer, rng, modelPath }: AdapterContext): Promise<ArmAdapter> => {
    const options = optionsOf(method, arm)
    const make = (): Adapter => method.create(model, options, { rng, modelPath, encode: (text) => tokenizer.encode(text) })
    const quantized = method.quantizedBase?.(options)
    const made = quantized !== undefined ? await onQuantizedBase(arm, quantized, model, tokenizer, make) : plain(make())
    return { ...made, ...(method.afterTraining && { afterTraining: () => method.afterTraining!(made.adapter) }) }
  },
})

/** What builds an arm of `kind`: one of the spec's own kinds (ownArmKinds), else the method registered under it. */
export const adapterKindOf = (registry: PeftlabRegistry, kind: string): AdapterKind =>
  isOwnArmKind(kind) ? ownArmKinds[kind] : methodAdapterKind(registry.get("methods", kind))

/** Every arm kind the run knows: peftlab's own in the order the spec lists them, then the methods plugins registered. */
export const armKindNames = (registry: PeftlabRegistry): ReadonlyArray<string> => {
  const names = [...Object.keys(ownArmKinds), ...registry.names("methods")]
  const order: ReadonlyArray<string> = armKindOrder
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length)
  return names.map((name, i) => ({ name, i })).sort((a, b) => rank(a.name) - rank(b.name) || a.i - b.i).map(({ name }) => name)
}

type SweepValue = string | number | boolean

/** The method arm's options decoded by its method, or the issues (at arms[i].<field>) why not. */
const decodedOptions = (
  method: MethodPlugin<any, any>,
  arm: Readonly<Record<string, unknown>>,
  index: number,
): { readonly options: Record<string, unknown>; readonly decoded: Record<string, unknown>; readonly issues?: undefined } | { readonly issues: ReadonlyArray<FieldIssue> } => {
  const options = methodArmOptions(arm as { readonly kind: string })
  const decoded = decodeWith(method)(options)
  return Result.isSuccess(decoded)
    ? { options, decoded: decoded.success as Record<string, unknown> }
    : { issues: fieldIssues(decoded.failure.issue, options, method.options.ast).map((issue) => ({ ...issue, path: ["arms", index, ...issue.path] })) }
}

/** A sweep over the method's own fields: a key it does not have, or a value its Schema refuses, at its place in the sweep. */
const sweepIssues = (method: MethodPlugin<any, any>, arm: Readonly<Record<string, unknown>>, index: number): Array<FieldIssue> => {
  const found = decodedOptions(method, arm, index)
  if (found.issues !== undefined) return []
  const sweep = (arm["sweep"] ?? {}) as Record<string, ReadonlyArray<SweepValue>>
  return Object.entries(sweep).flatMap(([key, values]): Array<FieldIssue> => {
    // The spec checks training.<setting> keys (and refuses name, kind and training) itself.
    if (key.startsWith("training.") || ["name", "kind", "training"].includes(key)) return []
    const path = ["arms", index, "sweep", key]
    if (!(key in found.decoded)) return [{ path, at: "key", expected: `a field this arm sets, or training.<${trainingOverrideKeys.join("|")}>`, found: renderFound(key) }]
    return values.flatMap((value, j) => {
      const swept = withSweptValue(found.options, key, value)
      const result = decodeWith(method)(swept)
      return Result.isSuccess(result) ? [] : fieldIssues(result.failure.issue, swept, method.options.ast).map((issue) => ({ ...issue, path: [...path, j] }))
    })
  })
}

/** The method's rules among the arm's options as written (checkOptions), at arms[i].<field>. */
const ruleIssues = (method: MethodPlugin<any, any>, arm: Readonly<Record<string, unknown>>, index: number): Array<FieldIssue> => {
  const found = decodedOptions(method, arm, index)
  if (found.issues !== undefined) return []
  return (method.checkOptions?.(found.decoded) ?? []).map(({ field, expected }) => ({ path: ["arms", index, field], expected, found: renderFound(found.decoded[field]) }))
}

/** The spec's checks of the arms of `methods`' kinds (MethodArmChecks); an arm of another kind is left alone. */
export const methodArmChecks = (methods: ReadonlyArray<MethodPlugin<any, any>>): MethodArmChecks => {
  const check =
    (issues: (method: MethodPlugin<any, any>, arm: Readonly<Record<string, unknown>>, index: number) => ReadonlyArray<FieldIssue>) =>
    (arm: Readonly<Record<string, unknown>>, index: number) => {
      const method = methods.find((m) => m.name === arm["kind"])
      return method === undefined ? [] : issues(method, arm, index)
    }
  return {
    options: check((method, arm, index) => {
      const found = decodedOptions(method, arm, index)
      return found.issues ?? []
    }),
    sweep: check(sweepIssues),
    rules: check(ruleIssues),
  }
}

/** The built-in methods' arms checked as the spec is read (what `peftlab validate` and `run` load specs with). */
export const builtinMethodArmChecks: MethodArmChecks = methodArmChecks(builtinMethods)

/** One written method arm's problems: its kind, else its options, else its sweep's values, else the method's rules among its options. */
const writtenArmIssues = (arm: ArmSpec, index: number, registry: PeftlabRegistry): ReadonlyArray<FieldIssue> => {
  if (!registry.has("methods", arm.kind)) return [{ path: ["arms", index, "kind"], expected: `one of ${armKindNames(registry).join(", ")}`, found: renderFound(arm.kind) }]
  const checks = methodArmChecks([registry.get("methods", arm.kind)])
  const written = arm as Readonly<Record<string, unknown>>
  const options = checks.options(written, index)
  if (options.length > 0) return options
  const swept = checks.sweep(written, index)
  return swept.length > 0 ? swept : checks.rules(written, index)
}

/** Every method arm's problems with its kind and options (see writtenArmIssues), each at arms[i].<field>. */
export const methodArmIssues = (loaded: LoadedSpec, registry: PeftlabRegistry): Array<FieldIssue> => {
  const indexOf = writtenIndexOf(loaded.spec)
  // A spec read back expanded (a run's manifest) has no sweeps left: each expanded arm stands for its written one.
  const written: ReadonlyArray<readonly [ArmSpec, number]> = loaded.written?.map((arm, i) => [arm, i] as const) ?? loaded.spec.arms.map((arm) => [arm, indexOf(arm)] as const)
  const issues = written.flatMap(([arm, index]) => (isBuiltinArm(arm) ? [] : writtenArmIssues(arm, index, registry)))
  // Seeds (and a manifest's expanded arms) repeat one written arm: each problem once.
  return [...new Map(issues.map((issue) => [JSON.stringify([issue.path, issue.expected, issue.found]), issue])).values()]
}

/** A method arm's options that this model cannot honour (its method's check), at arms[i].<field>. */
export const methodArmModelIssues = (arm: ConcreteArm, index: number, registry: PeftlabRegistry, model: AdapterContext["model"], encode: (text: string) => ReadonlyArray<number>): Array<FieldIssue> => {
  const found = armMethod(registry.entries("methods"), arm)
  if (found === undefined) return []
  return (found.method.check?.(model, found.options, { arm: arm.group, encode }) ?? []).map(({ field, expected, message }) => {
    const value = renderFound(methodArmOptions(arm)[field])
    return { path: ["arms", index, field], expected, found: value, message: typeof message === "string" ? message : message(value) }
  })
}

/** A method arm's line in `peftlab run --dry-run`, by its method. */
export const describeMethodArm = (registry: PeftlabRegistry, arm: { readonly name: string; readonly kind: string }): string => {
  const method = registry.get("methods", arm.kind)
  return method.describe(optionsOf(method, arm))
}

/** An arm with its options as its method decodes them (defaults filled, in the Schema's order, right after kind); other keys stay where they are. */
const withOptionsDecoded = (arm: ConcreteArm, methods: ReadonlyArray<MethodPlugin<any, any>>): ConcreteArm => {
  const found = armMethod(methods, arm)
  if (found === undefined) return arm
  const written = new Set(Object.keys(methodArmOptions(arm)))
  const entries = Object.entries(arm).flatMap(([key, value]): Array<[string, unknown]> =>
    written.has(key) ? [] : key === "kind" ? [[key, value], ...Object.entries(found.options as object)] : [[key, value]],
  )
  return Object.fromEntries(entries) as ConcreteArm
}

/** The spec with every method arm's options decoded by its method (what manifest.json echoes and the fingerprint covers). */
export const withDecodedOptions = (loaded: LoadedSpec, registry: PeftlabRegistry): LoadedSpec => {
  const methods = registry.entries("methods")
  const spec: ExperimentSpec = { ...loaded.spec, arms: loaded.spec.arms.map((arm) => withOptionsDecoded(arm, methods)) }
  return { ...loaded, spec }
}
