// Every field of PEFT's PrefixTuningConfig (PEFT 0.21.2, unchanged since 0.20.0) as peftlab
// reads it from adapter_config.json: read, checked against the model's layout, accepted because it
// cannot change a loaded prefix, or refused by name. A field not listed here is refused as unknown.
import { Schema } from "effect"
import { acceptIf, acceptWhere, peftConfigRules, promptLearningRules, type FieldRules } from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"
import { prefixDims } from "./layer-prefixes.ts"

export const prefixTuningFieldRules = (model: BaseModel): FieldRules => {
  const dims = prefixDims(model)
  return {
    ...peftConfigRules("PREFIX_TUNING"),
    // PEFT sizes the prefix by the key/value heads (its token_dim is kvHeads * headDim).
    ...promptLearningRules({ tokenDim: dims.tokenDim, numLayers: dims.layers, numAttentionHeads: dims.kvHeads }),
    // PEFT writes 2 for an encoder-decoder (its default for SEQ_2_SEQ_LM; with 1 its T5 pass
    // fails), and its rows are laid out for 2 (see layer-prefixes.ts).
    num_transformer_submodules: acceptWhere(
      (value) => value === null || value === (model.kind === "seq2seq" ? 2 : 1),
      model.kind === "seq2seq" ? "2, PEFT's value for an encoder-decoder, or null" : "1 or null",
    ),
    init_weights: acceptIf(Schema.NullOr(Schema.Literal("zero")), 'null or "zero": how the prefix started, not what it holds'),
    // The saved rows are already through any projection (PEFT saves them so), so these only describe training.
    prefix_projection: acceptIf(Schema.Boolean, "true or false: the saved rows are already through the projection"),
    encoder_hidden_size: acceptIf(Schema.NullOr(Schema.Number), "a number or null: the projection's width, already folded into the saved rows"),
  }
}
