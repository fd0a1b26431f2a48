// P-tuning as the built-in method of `kind: p-tuning` arms (the runner registers it like a method
// plugin): its options with PEFT's defaults, the values PEFT itself would ignore refused, the
// adapter it makes and folds after training (the prompt encoder), PEFT's P_TUNING files loaded
// back, and its dry-run line.
import { defineMethod, type OptionsIssue } from "@peftlab/plugin-api"
import { mlpEncoderLayers, PTuningOptions } from "./config.ts"
import { loadPTuning } from "./load.ts"
import { createPTuning, type PTuning } from "./p-tuning.ts"

/** Values PEFT would take and silently not honour, and init_from, which a saved P-tuning adapter cannot seed. */
const optionsIssues = (options: PTuningOptions): OptionsIssue[] => [
  ...(options.init_from !== undefined
    ? [{ field: "init_from", expected: "nothing: a saved P-tuning adapter holds its rows after the prompt encoder, not the encoder it would continue training" }]
    : []),
  ...(options.encoder_reparameterization_type === "MLP" && options.encoder_num_layers !== mlpEncoderLayers
    ? [{ field: "encoder_num_layers", expected: `${mlpEncoderLayers} with the MLP encoder (PEFT's MLP always has two hidden layers and ignores encoder_num_layers; it sets the LSTM's depth)` }]
    : []),
  ...(options.encoder_dropout > 0 && (options.encoder_reparameterization_type === "MLP" || options.encoder_num_layers < 2)
    ? [
        {
          field: "encoder_dropout",
          expected:
            options.encoder_reparameterization_type === "MLP"
              ? "0 with the MLP encoder (PEFT's MLP has no dropout; encoder_dropout is the dropout between the LSTM's layers)"
              : "0 with a one-layer LSTM (encoder_dropout applies between the LSTM's layers, so it needs encoder_num_layers 2 or more)",
        },
      ]
    : []),
]

export const pTuningMethod = defineMethod<PTuningOptions, PTuning>({
  name: "p-tuning",
  peftType: "P_TUNING",
  options: PTuningOptions,
  checkOptions: optionsIssues,
  create: (model, options, { rng, modelPath }) =>
    createPTuning(
      model,
      {
        numVirtualTokens: options.num_virtual_tokens,
        encoderReparameterizationType: options.encoder_reparameterization_type,
        ...(options.encoder_hidden_size !== undefined && { encoderHiddenSize: options.encoder_hidden_size }),
        encoderNumLayers: options.encoder_num_layers,
        encoderDropout: options.encoder_dropout,
        baseModelNameOrPath: modelPath,
      },
      rng,
    ),
  afterTraining: (adapter) => adapter.foldEncoder(),
  load: loadPTuning,
  describe: (options) => {
    const type = options.encoder_reparameterization_type
    const hidden = options.encoder_hidden_size === undefined ? "the model's width" : `${options.encoder_hidden_size}`
    const depth = type === "LSTM" ? `, ${options.encoder_num_layers} layers${options.encoder_dropout > 0 ? `, dropout ${options.encoder_dropout}` : ""}` : ""
    return `P-tuning, ${options.num_virtual_tokens} virtual tokens, ${type} prompt encoder (hidden ${hidden}${depth}), folded after training`
  },
  virtualTokens: (options) => options.num_virtual_tokens,
})
