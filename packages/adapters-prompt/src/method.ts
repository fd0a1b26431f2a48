// Prompt tuning as the built-in method of `kind: prompt` arms (the runner registers it like a
// method plugin): its options, the adapter it makes (over a trainable copy of the base with
// unfreeze_base), PEFT's PROMPT_TUNING files loaded back, and its dry-run line.
import { unfreezeBase } from "@peftlab/adapters-base"
import { defineMethod } from "@peftlab/plugin-api"
import { PromptOptions } from "./config.ts"
import { loadPromptTuning } from "./load.ts"
import { createPromptTuning } from "./prompt-tuning.ts"

export const promptTuningMethod = defineMethod<PromptOptions>({
  name: "prompt",
  peftType: "PROMPT_TUNING",
  options: PromptOptions,
  checkOptions: (options) => (options.init === "text" && options.init_text === undefined ? [{ field: "init_text", expected: "a non-empty text (required when init is text)" }] : []),
  check: (_model, options, { arm, encode }) =>
    options.init === "text" && encode(options.init_text ?? "").length === 0
      ? [{ field: "init_text", expected: "a text of at least one token", message: (found) => `${found} tokenizes to no tokens, so arm ${arm}'s prompt has nothing to start from` }]
      : [],
  create: (model, options, { rng, modelPath, encode }) => {
    const prompt = createPromptTuning(
      model,
      {
        numVirtualTokens: options.num_virtual_tokens,
        init: options.init,
        // PEFT's text init: tokenizer(init_text)["input_ids"], special tokens included.
        initIds: options.init === "text" ? encode?.(options.init_text ?? "") : undefined,
        initText: options.init_text,
        baseModelNameOrPath: modelPath,
      },
      rng,
    )
    // Soft prompt with the model unfrozen: the prompt and every base weight train together.
    return options.unfreeze_base ? unfreezeBase(prompt, model) : prompt
  },
  load: loadPromptTuning,
  describe: (options) => `prompt tuning, ${options.num_virtual_tokens} virtual tokens, ${options.init} init${options.unfreeze_base ? ", base unfrozen" : ""}`,
  virtualTokens: (options) => options.num_virtual_tokens,
  initFrom: { agreeing: (options) => [{ field: "num_virtual_tokens", value: options.num_virtual_tokens }] },
})
