// Prompt and prefix tuning put their virtual tokens before every input, so an input of
// training.max_length tokens takes max_length + num_virtual_tokens of the model's positions.
// A model with a fixed number of positions (learned or RoPE-trained) is checked once it is
// loaded, before any arm runs, rather than failing in the middle of an arm's training.
import { Effect } from "effect"
import type { BaseModel } from "@peftlab/models"
import type { ExperimentSpec } from "@peftlab/spec"
import { SpecDataMismatch } from "./encode.ts"

/** `adapterTokens`: the virtual tokens of adapter arms, read from their adapter_config.json. */
export const checkPositionsFit = (spec: ExperimentSpec, model: BaseModel, modelDir: string, adapterTokens: ReadonlyMap<string, number> = new Map()): Effect.Effect<void, SpecDataMismatch> => {
  const limit = model.dims.max_position_embeddings
  const { max_length } = spec.training
  const virtual = (arm: ExperimentSpec["arms"][number]) => ("num_virtual_tokens" in arm ? arm.num_virtual_tokens : (adapterTokens.get(arm.name) ?? 0))
  const over = limit === undefined ? undefined : spec.arms.find((arm) => max_length + virtual(arm) > limit)
  if (over === undefined || limit === undefined) return Effect.void
  const n = virtual(over)
  const detail =
    `${max_length} tokens${n > 0 ? ` plus arm ${over.name}'s ${n} virtual tokens` : ""} exceed the ${limit} positions of the model in ${modelDir} ` +
    `(its config.json); set training.max_length to at most ${limit - n}`
  return Effect.fail(new SpecDataMismatch({ source: "training.max_length", detail }))
}
