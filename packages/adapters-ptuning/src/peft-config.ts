// Every field of PEFT's PromptEncoderConfig (PEFT 0.21.2) as peftlab reads it from
// adapter_config.json: the virtual-token fields as prompt tuning reads them (@peftlab/adapters-prompt's
// promptRowsRules), and the encoder's fields accepted because PEFT saves the rows already through
// the encoder, so they only describe training. A field not listed here is refused as unknown.
import { Schema } from "effect"
import { acceptIf, peftConfigRules, type FieldRules } from "@peftlab/adapters-base"
import { promptRowsRules } from "@peftlab/adapters-prompt"
import type { BaseModel } from "@peftlab/models"
import { reparameterizationTypes } from "./config.ts"

const folded = "the saved rows are already through the prompt encoder"

export const pTuningFieldRules = (model: BaseModel): FieldRules => ({
  ...peftConfigRules("P_TUNING"),
  ...promptRowsRules(model),
  encoder_reparameterization_type: acceptIf(Schema.Literals(reparameterizationTypes), `"MLP" or "LSTM": ${folded}`),
  encoder_hidden_size: acceptIf(Schema.NullOr(Schema.Int.check(Schema.isGreaterThan(0))), `a positive integer or null: ${folded}`),
  encoder_num_layers: acceptIf(Schema.Int.check(Schema.isGreaterThan(0)), `a positive integer: ${folded}`),
  encoder_dropout: acceptIf(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThan(1)), `a probability in [0, 1): ${folded}`),
})
