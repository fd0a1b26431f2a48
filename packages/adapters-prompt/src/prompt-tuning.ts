// Prompt tuning (Lester et al., 2021): n trainable embeddings are prepended to every input;
// the frozen model attends to them as if they were tokens. Logits at the virtual positions
// are dropped, so callers see logits aligned with their own tokens.
import * as tf from "@tensorflow/tfjs"
import type { Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import type { CausalLM } from "@peftlab/models"
import type { PromptTuningConfig } from "./config.ts"
import { initialPrompt } from "./init.ts"

export interface PromptTuning extends Adapter {
  readonly prompt: tf.Variable<tf.Rank.R2>
}

export const createPromptTuning = (model: CausalLM, config: PromptTuningConfig, rng: Rng): PromptTuning => {
  if (!Number.isInteger(config.numVirtualTokens) || config.numVirtualTokens <= 0) {
    throw new RangeError(`numVirtualTokens must be a positive integer, got ${config.numVirtualTokens}`)
  }
  const initial = initialPrompt(model, config, rng)
  const prompt = tf.variable(initial, true) as tf.Variable<tf.Rank.R2>
  initial.dispose()
  const n = config.numVirtualTokens

  return {
    peftType: "PROMPT_TUNING",
    prompt,
    trainable: [prompt],
    logits: (base, ids, attentionMask) => {
      const [batch, time] = ids.shape
      const virtual = prompt.expandDims(0).tile([batch, 1, 1]) as tf.Tensor3D
      const embeds = tf.concat([virtual, base.embed(ids)], 1)
      const mask = tf.concat([tf.ones([batch, n], attentionMask.dtype), attentionMask], 1) as tf.Tensor2D
      const logits = base.forward({ embeds, attentionMask: mask })
      return logits.slice([0, n, 0], [batch, time, -1])
    },
    peftConfig: () => ({
      peft_type: "PROMPT_TUNING",
      task_type: "CAUSAL_LM",
      num_virtual_tokens: n,
      token_dim: model.config.hidden_size,
      num_transformer_submodules: 1,
      num_attention_heads: model.config.num_attention_heads,
      num_layers: model.config.num_hidden_layers,
      prompt_tuning_init: config.init === "text" ? "TEXT" : "RANDOM",
      prompt_tuning_init_text: config.init === "text" ? (config.initText ?? null) : null,
      tokenizer_name_or_path: config.init === "text" ? (config.baseModelNameOrPath ?? null) : null,
      base_model_name_or_path: config.baseModelNameOrPath ?? null,
      inference_mode: true,
    }),
    peftTensors: () => new Map([["prompt_embeddings", prompt]]),
    dispose: () => prompt.dispose(),
  }
}
