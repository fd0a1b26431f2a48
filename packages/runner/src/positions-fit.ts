// Prompt and prefix tuning put their virtual tokens before every input (a method's virtualTokens),
// so an input of training.max_length tokens takes max_length + num_virtual_tokens of the model's positions.
// A model with a fixed number of positions (learned or RoPE-trained) is checked once it is
// loaded, before any arm runs, rather than failing in the middle of an arm's training.
import { Effect } from "effect"
import type { BaseModel } from "@peftlab/models"
import type { MethodPlugin } from "@peftlab/plugin-api"
import type { ExperimentSpec } from "@peftlab/spec"
import { builtinMethods } from "./registry/builtin-methods.ts"
import { armMethod } from "./registry/methods.ts"
import { SpecDataMismatch } from "./spec-data-mismatch.ts"

/**
 * `adapterTokens`: the virtual tokens of adapter arms, read from their adapter_config.json; a method
 * arm's are its method's (virtualTokens), among `methods`.
 */
export const checkPositionsFit = (
  spec: ExperimentSpec,
  model: BaseModel,
  modelDir: string,
  adapterTokens: ReadonlyMap<string, number> = new Map(),
  methods: ReadonlyArray<MethodPlugin<any, any>> = builtinMethods,
): Effect.Effect<void, SpecDataMismatch> => {
  const limit = model.dims.max_position_embeddings
  const { max_length } = spec.training
  const virtual = (arm: ExperimentSpec["arms"][number]) => {
    const found = armMethod(methods, arm)
    return found === undefined ? (adapterTokens.get(arm.name) ?? 0) : (found.method.virtualTokens?.(found.options) ?? 0)
  }
  const over = limit === undefined ? undefined : spec.arms.find((arm) => max_length + virtual(arm) > limit)
  if (over === undefined || limit === undefined) return Effect.void
  const n = virtual(over)
  const detail =
    `${max_length} tokens${n > 0 ? ` plus arm ${over.name}'s ${n} virtual tokens` : ""} exceed the ${limit} positions of the model in ${modelDir} ` +
    `(its config.json); set training.max_length to at most ${limit - n}`
  return Effect.fail(new SpecDataMismatch({ source: "training.max_length", detail }))
}
