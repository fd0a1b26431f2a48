// Prefix tuning as the built-in method of `kind: prefix` arms (the runner registers it like a
// method plugin): its options, the adapter it makes and folds after training (prefix_projection's
// MLP), PEFT's PREFIX_TUNING files loaded back, and its dry-run line.
import { defineMethod } from "@peftlab/plugin-api"
import { PrefixOptions } from "./config.ts"
import { loadPrefixTuning } from "./load.ts"
import { createPrefixTuning, type PrefixTuning } from "./prefix-tuning.ts"

export const prefixTuningMethod = defineMethod<PrefixOptions, PrefixTuning>({
  name: "prefix",
  peftType: "PREFIX_TUNING",
  options: PrefixOptions,
  // PEFT saves prefix rows through the projection, so they cannot seed the projection's MLP.
  checkOptions: (options) =>
    options.init_from !== undefined && options.prefix_projection
      ? [{ field: "prefix_projection", expected: "false with init_from (a saved prefix holds its rows after the projection, not the projection's MLP)" }]
      : [],
  create: (model, options, { rng, modelPath }) =>
    createPrefixTuning(
      model,
      {
        numVirtualTokens: options.num_virtual_tokens,
        prefixProjection: options.prefix_projection,
        ...(options.encoder_hidden_size ? { encoderHiddenSize: options.encoder_hidden_size } : {}),
        baseModelNameOrPath: modelPath,
      },
      rng,
    ),
  afterTraining: (prefix) => prefix.foldProjection(),
  load: loadPrefixTuning,
  describe: (options) => `prefix tuning, ${options.num_virtual_tokens} virtual tokens per layer${options.prefix_projection ? ", MLP reparameterisation" : ""}`,
  virtualTokens: (options) => options.num_virtual_tokens,
  initFrom: { agreeing: (options) => [{ field: "num_virtual_tokens", value: options.num_virtual_tokens }] },
})
