// The spec's existing adapters checked before anything runs, as spec issues at their fields:
// each path and init_from is found (a folder, or a Hugging Face id offline) and holds an
// adapter_config.json of a kind peftlab loads; an init_from's config agrees with the arm's own
// fields (the arm's adapter is built from those, then given the saved weights).
import { join } from "node:path"
import { Effect } from "effect"
import { adapterConfigFile } from "@peftlab/adapters-base"
import type { MethodPlugin } from "@peftlab/plugin-api"
import { isBuiltinArm, placeIssue, renderFound, SpecError, type ConcreteArm, type Env, type FieldIssue, type LoadedSpec } from "@peftlab/spec"
import { findAdapterFolder, notFound, readAdapterConfig, type AdapterConfig as Config } from "./adapter-folder.ts"
import { loadablePeftTypes } from "./load-peft.ts"
import { adapterReferences, type AdapterReference } from "./references.ts"

const expectedFolder = "a PEFT adapter folder (with adapter_config.json) or a Hugging Face id (org/name)"

const peftTypeOfKind: Readonly<Record<string, string>> = { lora: "LORA", prompt: "PROMPT_TUNING", prefix: "PREFIX_TUNING" }

/** A list of module names compares as a set; a regex as its text. */
const sameTargets = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) : a === b

/** The arm's fields that its adapter is built from, each with the config field that must agree and PEFT's default. */
const agreeingFields = (arm: ConcreteArm): Array<{ readonly field: string; readonly value: unknown; readonly fallback?: unknown; readonly same?: (a: unknown, b: unknown) => boolean }> => {
  if (!isBuiltinArm(arm)) return []
  switch (arm.kind) {
    case "lora":
      return [
        { field: "r", value: arm.r },
        { field: "lora_alpha", value: arm.lora_alpha },
        { field: "target_modules", value: arm.target_modules, same: sameTargets },
        { field: "use_rslora", value: arm.use_rslora, fallback: false },
      ]
    case "prompt":
    case "prefix":
      return [{ field: "num_virtual_tokens", value: arm.num_virtual_tokens }]
    default:
      return []
  }
}

// LoraConfig fields a lora arm cannot set: an adapter using them is not the one the arm builds.
const loraOnlyFields = ["rank_pattern", "alpha_pattern", "exclude_modules", "layers_to_transform", "layers_pattern"]
const isSet = (value: unknown): boolean => value !== undefined && value !== null && !(typeof value === "object" && Object.keys(value).length === 0)

const initFromIssues = (reference: AdapterReference, config: Config, file: string): Array<FieldIssue> => {
  const at = (field: string) => ["arms", reference.index, field]
  const { arm } = reference
  const wanted = peftTypeOfKind[arm.kind]
  if (config["peft_type"] !== wanted) {
    return [{ path: at("init_from"), expected: `an adapter of peft_type "${wanted}"`, found: renderFound(reference.written), message: `a ${arm.kind} arm starts from a "${wanted}" adapter, but ${file} has peft_type ${renderFound(config["peft_type"])}` }]
  }
  const unsettable = arm.kind === "lora" ? loraOnlyFields.filter((field) => isSet(config[field])) : []
  return [
    ...agreeingFields(arm).flatMap(({ field, value, fallback, same = (a, b) => a === b }) => {
      const saved = config[field] ?? fallback
      return same(value, saved)
        ? []
        : [{ path: at(field), expected: `${renderFound(saved)}, as in init_from's ${adapterConfigFile}`, found: renderFound(value), message: `${renderFound(value)} does not match init_from's ${adapterConfigFile} ${field}: ${renderFound(saved)} (${file})` }]
    }),
    ...unsettable.map((field) => ({ path: at("init_from"), expected: "an adapter a lora arm can rebuild", found: renderFound(reference.written), message: `${file} sets ${field} (${renderFound(config[field])}), which a lora arm cannot set` })),
  ]
}

const adapterArmIssues = (reference: AdapterReference, config: Config, file: string, methods: ReadonlyArray<MethodPlugin<any>>): Array<FieldIssue> => {
  const type = config["peft_type"]
  const loadable = [...loadablePeftTypes, ...methods.map((method) => method.peftType)]
  if (typeof type !== "string" || !loadable.includes(type)) {
    return [{ path: ["arms", reference.index, "path"], expected: `an adapter of peft_type ${loadable.join(", ")}`, found: renderFound(reference.written), message: `${file} has peft_type ${renderFound(type)}; an adapter arm loads ${loadable.join(", ")}` }]
  }
  const nf4 = isBuiltinArm(reference.arm) && reference.arm.kind === "adapter" && reference.arm.quantize === "nf4"
  return nf4 && type !== "LORA" ? [{ path: ["arms", reference.index, "quantize"], expected: `none (nf4 is for LoRA adapters; ${file} has peft_type "${type}")`, found: renderFound("nf4") }] : []
}

const referenceIssues = (reference: AdapterReference, env: Env, methods: ReadonlyArray<MethodPlugin<any>>) =>
  Effect.map(findAdapterFolder(reference.written, env), (found): Array<FieldIssue> => {
    const path = ["arms", reference.index, reference.field]
    if (!("dir" in found)) return [{ path, expected: expectedFolder, found: renderFound(reference.written), message: notFound(reference.written, found.looked) }]
    const read = readAdapterConfig(found.dir)
    if ("problem" in read) return [{ path, expected: expectedFolder, found: renderFound(reference.written), message: read.problem }]
    const file = join(found.dir, adapterConfigFile)
    return reference.field === "path" ? adapterArmIssues(reference, read.config, file, methods) : initFromIssues(reference, read.config, file)
  })

/**
 * Fails with one SpecError listing every problem with the spec's existing adapters (sweeps and
 * seeds name each once); an adapter arm also loads the peft_types of the registered `methods`.
 */
export const checkAdapterReferences = (loaded: LoadedSpec, env: Env = process.env, methods: ReadonlyArray<MethodPlugin<any>> = []) =>
  Effect.gen(function* () {
    const found = yield* Effect.forEach(adapterReferences(loaded.spec), (reference) => referenceIssues(reference, env, methods))
    const unique = new Map(found.flat().map((issue) => [JSON.stringify([issue.path, issue.message ?? issue.expected]), issue]))
    if (unique.size > 0) return yield* Effect.fail(SpecError.fromIssues(loaded.file, [...unique.values()].map(placeIssue(loaded.locations))))
  })
