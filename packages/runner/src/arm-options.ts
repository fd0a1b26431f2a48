// Once the model and tokenizer are loaded and before any arm runs, every method arm's options
// are checked against this model by its method (MethodPlugin.check): a LoRA target_modules that
// wraps none of its linear modules, or a prompt init_text that tokenizes to nothing, is a spec
// error at the arm's field (exit 2), not a crash after the arms before it have run.
import { Effect } from "effect"
import type { BaseModel } from "@peftlab/models"
import { placeIssue, SpecError, type LoadedSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"
import { Registry } from "@peftlab/plugin-api"
import { methodArmModelIssues } from "./registry/methods.ts"
import { writtenIndexOf } from "./written-arm.ts"

/** Fails with one SpecError listing every arm option this model cannot honour by the run's registered methods (sweeps and seeds name each once). */
export const checkArmOptions = (loaded: LoadedSpec, model: BaseModel, tokenizer: Tokenizer): Effect.Effect<void, SpecError, Registry> =>
  Registry.use((registry) => {
    const indexOf = writtenIndexOf(loaded.spec)
    const encode = (text: string) => tokenizer.encode(text)
    const issues = loaded.spec.arms.flatMap((arm) => methodArmModelIssues(arm, indexOf(arm), registry, model, encode))
    const unique = new Map(issues.map((issue) => [JSON.stringify([issue.path, issue.message]), issue]))
    return unique.size === 0 ? Effect.void : Effect.fail(SpecError.fromIssues(loaded.file, [...unique.values()].map(placeIssue(loaded.locations))))
  })
