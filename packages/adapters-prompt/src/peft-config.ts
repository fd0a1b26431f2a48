// Every field of PEFT's PromptTuningConfig (PEFT 0.21.2, unchanged since 0.20.0) as peftlab
// reads it from adapter_config.json: read, accepted because it cannot change a loaded prompt, or
// refused by name. A field not listed here is refused as unknown.
import { Schema } from "effect"
import { acceptIf, acceptWhere, peftConfigRules, promptLearningRules, type FieldRules } from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"

const startedAs = "how the prompt started, not what it holds"

/**
 * The sets of virtual-token rows PEFT saves: 2 for an encoder-decoder by default (SEQ_2_SEQ_LM),
 * whose forward puts only the first set before the encoder's input and never reads the second.
 */
export const savedRowSets = (config: Readonly<Record<string, unknown>>): number =>
  config["num_transformer_submodules"] === 2 || (config["num_transformer_submodules"] === null && config["task_type"] === "SEQ_2_SEQ_LM") ? 2 : 1

/**
 * PromptLearningConfig's fields for virtual-token rows put before the input (prompt tuning,
 * P-tuning): no layer or head count is read, so any is accepted; an encoder-decoder's saved rows
 * may come in PEFT's two sets.
 */
export const promptRowsRules = (model: BaseModel): FieldRules => ({
  ...promptLearningRules({ tokenDim: model.dims.hidden_size }),
  ...(model.kind === "seq2seq" && {
    num_transformer_submodules: acceptWhere(
      (value) => value === null || value === 1 || value === 2,
      "1, 2 (PEFT's default here: a second set of rows its forward never reads) or null",
    ),
  }),
})

export const promptTuningFieldRules = (model: BaseModel): FieldRules => ({
  ...peftConfigRules("PROMPT_TUNING"),
  ...promptRowsRules(model),
  prompt_tuning_init: acceptIf(Schema.Literals(["RANDOM", "TEXT", "SAMPLE_VOCAB"]), `"RANDOM", "TEXT" or "SAMPLE_VOCAB": ${startedAs}`),
  prompt_tuning_init_text: acceptIf(Schema.NullOr(Schema.String), `a string or null: ${startedAs}`),
  tokenizer_name_or_path: acceptIf(Schema.NullOr(Schema.String), `a string or null: ${startedAs}`),
  tokenizer_kwargs: acceptIf(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)), `an object or null: ${startedAs}`),
})
