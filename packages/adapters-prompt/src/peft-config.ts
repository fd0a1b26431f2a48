// Every field of PEFT's PromptTuningConfig (PEFT 0.20.0) as peftlab reads it from
// adapter_config.json: read, accepted because it cannot change a loaded prompt, or refused by
// name. A field not listed here is refused as unknown.
import { Schema } from "effect"
import { acceptIf, peftConfigRules, promptLearningRules, type FieldRules } from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"

const startedAs = "how the prompt started, not what it holds"

export const promptTuningFieldRules = (model: BaseModel): FieldRules => ({
  ...peftConfigRules("PROMPT_TUNING"),
  // Prompt tuning reads no layer or head count: any is accepted.
  ...promptLearningRules({ tokenDim: model.dims.hidden_size }),
  prompt_tuning_init: acceptIf(Schema.Literals(["RANDOM", "TEXT", "SAMPLE_VOCAB"]), `"RANDOM", "TEXT" or "SAMPLE_VOCAB": ${startedAs}`),
  prompt_tuning_init_text: acceptIf(Schema.NullOr(Schema.String), `a string or null: ${startedAs}`),
  tokenizer_name_or_path: acceptIf(Schema.NullOr(Schema.String), `a string or null: ${startedAs}`),
  tokenizer_kwargs: acceptIf(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)), `an object or null: ${startedAs}`),
})
