// Every field of PEFT's PrefixTuningConfig (PEFT 0.20.0) as peftlab reads it from
// adapter_config.json: read, checked against the model's layout, accepted because it cannot
// change a loaded prefix, or refused by name. A field not listed here is refused as unknown.
import { Schema } from "effect"
import { acceptIf, peftConfigRules, promptLearningRules, type FieldRules } from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"
import { prefixDims } from "./layer-prefixes.ts"

export const prefixTuningFieldRules = (model: BaseModel): FieldRules => {
  const dims = prefixDims(model)
  return {
    ...peftConfigRules("PREFIX_TUNING"),
    // PEFT sizes the prefix by the key/value heads (its token_dim is kvHeads * headDim).
    ...promptLearningRules({ tokenDim: dims.tokenDim, numLayers: dims.layers, numAttentionHeads: dims.kvHeads }),
    init_weights: acceptIf(Schema.NullOr(Schema.Literal("zero")), 'null or "zero": how the prefix started, not what it holds'),
    // The saved rows are already through any projection (PEFT saves them so), so these only describe training.
    prefix_projection: acceptIf(Schema.Boolean, "true or false: the saved rows are already through the projection"),
    encoder_hidden_size: acceptIf(Schema.NullOr(Schema.Number), "a number or null: the projection's width, already folded into the saved rows"),
  }
}
