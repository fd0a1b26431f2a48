// Prompt tuning (Lester et al., 2021): n trainable embeddings are prepended to every input
// (an encoder-decoder's encoder input); the frozen model attends to them as if they were
// tokens. Outputs at the virtual positions are dropped, so callers see their own tokens' only.
import * as tf from "@tensorflow/tfjs"
import { peftTaskType, type Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import type { PromptTuningConfig } from "./config.ts"
import { initialPrompt } from "./init.ts"

export interface PromptTuning extends Adapter {
  readonly prompt: tf.Variable<tf.Rank.R2>
}

export const createPromptTuning = (model: BaseModel, config: PromptTuningConfig, rng: Rng): PromptTuning => {
  if (!Number.isInteger(config.numVirtualTokens) || config.numVirtualTokens <= 0) {
    throw new RangeError(`numVirtualTokens must be a positive integer, got ${config.numVirtualTokens}`)
  }
  const initial = initialPrompt(model, config, rng)
  const prompt = tf.variable(initial, true) as tf.Variable<tf.Rank.R2>
  initial.dispose()
  const n = config.numVirtualTokens
  // PEFT refuses to load "TEXT" without the text and a tokenizer name (PromptTuningConfig's
  // __post_init__); the saved rows hold the prompt however it started, so without them it is "RANDOM".
  const textInit = config.init === "text" && config.initText !== undefined && config.baseModelNameOrPath !== undefined

  return {
    peftType: "PROMPT_TUNING",
    prompt,
    trainable: [prompt],
    inject: () => ({ virtualTokens: prompt }),
    peftConfig: () => ({
      peft_type: "PROMPT_TUNING",
      task_type: peftTaskType(model),
      num_virtual_tokens: n,
      token_dim: model.dims.hidden_size,
      num_transformer_submodules: 1,
      num_attention_heads: model.dims.num_attention_heads,
      num_layers: model.dims.num_hidden_layers,
      prompt_tuning_init: textInit ? "TEXT" : "RANDOM",
      prompt_tuning_init_text: textInit ? config.initText : null,
      tokenizer_name_or_path: textInit ? config.baseModelNameOrPath : null,
      base_model_name_or_path: config.baseModelNameOrPath ?? null,
      inference_mode: true,
    }),
    peftTensors: () => new Map([["prompt_embeddings", prompt]]),
    dispose: () => prompt.dispose(),
  }
}
