// Once the model and tokenizer are loaded and before any arm runs, every trainable arm's options
// are checked against this model: a LoRA target_modules that wraps none of its linear modules, or
// a prompt init_text that tokenizes to nothing, is a spec error at the arm's field (exit 2), not
// a crash after the arms before it have run. The matching is LoRA creation's own (targetedModules);
// a plugin arm's options are its method's check.
import { Effect } from "effect"
import { targetedModules } from "@peftlab/adapters-lora"
import type { BaseModel } from "@peftlab/models"
import { isBuiltinArm, placeIssue, renderFound, SpecError, type ConcreteArm, type FieldIssue, type LoadedSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import type { PeftlabRegistry } from "./registry/entries.ts"
import { pluginArmModelIssues } from "./registry/methods.ts"
import { writtenIndexOf } from "./written-arm.ts"

/** A list as the spec reads in YAML (`[q, v]`); a regex as its JSON string. */
const renderTargets = (targets: ReadonlyArray<string> | string): string => (typeof targets === "string" ? JSON.stringify(targets) : `[${targets.join(", ")}]`)

/** The model's linear modules by their last name segment (q_proj, k_proj, ...), in model order. */
const moduleKinds = (model: BaseModel): string => [...new Set([...model.linears.keys()].map((name) => name.split(".").at(-1) ?? name))].join(", ")

const targetIssues = (arm: Extract<ConcreteArm, { readonly kind: "lora" }>, model: BaseModel, at: FieldIssue["path"]): Array<FieldIssue> => {
  const found = renderFound(arm.target_modules)
  let matched: ReadonlyArray<string>
  try {
    matched = targetedModules(model.linears.keys(), arm.target_modules)
  } catch (error) {
    // A string is a regex over full module names; JavaScript refuses some that are not one.
    return [{ path: at, expected: "a valid regex over module names", found, message: `${found} is not a valid regex (${error instanceof Error ? error.message : String(error)})` }]
  }
  if (matched.length > 0) return []
  const message = `${renderTargets(arm.target_modules)} matches no linear module of this ${model.architecture} model (its modules: ${moduleKinds(model)}), so arm ${arm.group} would train nothing`
  return [{ path: at, expected: "module names or a regex matching this model's linear modules", found, message }]
}

const promptTextIssues = (arm: Extract<ConcreteArm, { readonly kind: "prompt" }>, tokenizer: Tokenizer, at: FieldIssue["path"]): Array<FieldIssue> =>
  arm.init === "text" && tokenizer.encode(arm.init_text ?? "").length === 0
    ? [{ path: at, expected: "a text of at least one token", found: renderFound(arm.init_text), message: `${renderFound(arm.init_text)} tokenizes to no tokens, so arm ${arm.group}'s prompt has nothing to start from` }]
    : []

const armIssues = (arm: ConcreteArm, index: number, model: BaseModel, tokenizer: Tokenizer, registry: PeftlabRegistry): Array<FieldIssue> => {
  if (!isBuiltinArm(arm)) return pluginArmModelIssues(arm, index, registry, model)
  switch (arm.kind) {
    case "lora":
      return targetIssues(arm, model, ["arms", index, "target_modules"])
    case "prompt":
      return promptTextIssues(arm, tokenizer, ["arms", index, "init_text"])
    default:
      return []
  }
}

/** Fails with one SpecError listing every arm option this model cannot honour (sweeps and seeds name each once). */
export const checkArmOptions = (loaded: LoadedSpec, model: BaseModel, tokenizer: Tokenizer, registry: PeftlabRegistry): Effect.Effect<void, SpecError> => {
  const indexOf = writtenIndexOf(loaded.spec)
  const issues = loaded.spec.arms.flatMap((arm) => armIssues(arm, indexOf(arm), model, tokenizer, registry))
  const unique = new Map(issues.map((issue) => [JSON.stringify([issue.path, issue.message]), issue]))
  return unique.size === 0 ? Effect.void : Effect.fail(SpecError.fromIssues(loaded.file, [...unique.values()].map(placeIssue(loaded.locations))))
}
