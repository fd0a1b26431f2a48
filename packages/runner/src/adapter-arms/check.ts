// The spec's existing adapters checked before anything runs, as spec issues at their fields:
// each path and init_from is found (a folder, or a Hugging Face id offline) and holds an
// adapter_config.json of a kind peftlab loads; an init_from's config is of the arm's method's
// peft_type and agrees with the options the method names (MethodPlugin.initFrom: the arm's
// adapter is built from those, then given the saved weights).
import { join } from "node:path"
import { Effect } from "effect"
import { adapterConfigFile } from "@peftlab/adapters-base"
import type { MethodPlugin } from "@peftlab/plugin-api"
import { isBuiltinArm, placeIssue, renderFound, SpecError, type Env, type FieldIssue, type LoadedSpec } from "@peftlab/spec"
import { findAdapterFolder, notFound, readAdapterConfig, type AdapterConfig as Config } from "./adapter-folder.ts"
import { builtinMethods } from "../registry/builtin-methods.ts"
import { armMethod } from "../registry/methods.ts"
import { loadablePeftTypes } from "./load-peft.ts"
import { adapterReferences, type AdapterReference } from "./references.ts"

const expectedFolder = "a PEFT adapter folder (with adapter_config.json) or a Hugging Face id (org/name)"

const isSet = (value: unknown): boolean => value !== undefined && value !== null && !(typeof value === "object" && Object.keys(value).length === 0)

const initFromIssues = (reference: AdapterReference, config: Config, file: string, methods: ReadonlyArray<MethodPlugin<any, any>>): Array<FieldIssue> => {
  const at = (field: string) => ["arms", reference.index, field]
  const { arm } = reference
  // A kind no registered method has is left for run (validate imports no plugin); its names were checked already otherwise.
  const found = methods.some((method) => method.name === arm.kind) ? armMethod(methods, arm) : undefined
  if (found === undefined) return []
  const { method, options } = found
  const wanted = method.peftType
  if (config["peft_type"] !== wanted) {
    return [{ path: at("init_from"), expected: `an adapter of peft_type "${wanted}"`, found: renderFound(reference.written), message: `a ${arm.kind} arm starts from a "${wanted}" adapter, but ${file} has peft_type ${renderFound(config["peft_type"])}` }]
  }
  const unsettable = (method.initFrom?.unsettable ?? []).filter((field) => isSet(config[field]))
  return [
    ...(method.initFrom?.agreeing(options) ?? []).flatMap(({ field, value, fallback, same = (a, b) => a === b }) => {
      const saved = config[field] ?? fallback
      return same(value, saved)
        ? []
        : [{ path: at(field), expected: `${renderFound(saved)}, as in init_from's ${adapterConfigFile}`, found: renderFound(value), message: `${renderFound(value)} does not match init_from's ${adapterConfigFile} ${field}: ${renderFound(saved)} (${file})` }]
    }),
    ...unsettable.map((field) => ({ path: at("init_from"), expected: `an adapter a ${arm.kind} arm can rebuild`, found: renderFound(reference.written), message: `${file} sets ${field} (${renderFound(config[field])}), which a ${arm.kind} arm cannot set` })),
  ]
}

const adapterArmIssues = (reference: AdapterReference, config: Config, file: string, methods: ReadonlyArray<MethodPlugin<any, any>>): Array<FieldIssue> => {
  const type = config["peft_type"]
  const loadable = loadablePeftTypes(methods)
  if (typeof type !== "string" || !loadable.includes(type)) {
    return [{ path: ["arms", reference.index, "path"], expected: `an adapter of peft_type ${loadable.join(", ")}`, found: renderFound(reference.written), message: `${file} has peft_type ${renderFound(type)}; an adapter arm loads ${loadable.join(", ")}` }]
  }
  const quantize = isBuiltinArm(reference.arm) && reference.arm.kind === "adapter" ? reference.arm.quantize : "none"
  // Only an adapter of a method that can run over a quantized base (LoRA's, as QLoRA trained it).
  const overQuantized = methods.some((method) => method.peftType === type && method.quantizedBase !== undefined)
  return quantize !== "none" && !overQuantized
    ? [{ path: ["arms", reference.index, "quantize"], expected: `none (${quantize} is for LoRA adapters; ${file} has peft_type "${type}")`, found: renderFound(quantize) }]
    : []
}

const referenceIssues = (reference: AdapterReference, env: Env, methods: ReadonlyArray<MethodPlugin<any, any>>) =>
  Effect.map(findAdapterFolder(reference.written, env), (found): Array<FieldIssue> => {
    const path = ["arms", reference.index, reference.field]
    if (!("dir" in found)) return [{ path, expected: expectedFolder, found: renderFound(reference.written), message: notFound(reference.written, found.looked) }]
    const read = readAdapterConfig(found.dir)
    if ("problem" in read) return [{ path, expected: expectedFolder, found: renderFound(reference.written), message: read.problem }]
    const file = join(found.dir, adapterConfigFile)
    return reference.field === "path" ? adapterArmIssues(reference, read.config, file, methods) : initFromIssues(reference, read.config, file, methods)
  })

/**
 * Fails with one SpecError listing every problem with the spec's existing adapters (sweeps and
 * seeds name each once); an adapter arm loads the peft_types of the registered `methods`.
 */
export const checkAdapterReferences = (loaded: LoadedSpec, env: Env = process.env, methods: ReadonlyArray<MethodPlugin<any, any>> = builtinMethods) =>
  Effect.gen(function* () {
    const found = yield* Effect.forEach(adapterReferences(loaded.spec), (reference) => referenceIssues(reference, env, methods))
    const unique = new Map(found.flat().map((issue) => [JSON.stringify([issue.path, issue.message ?? issue.expected]), issue]))
    if (unique.size > 0) return yield* Effect.fail(SpecError.fromIssues(loaded.file, [...unique.values()].map(placeIssue(loaded.locations))))
  })
