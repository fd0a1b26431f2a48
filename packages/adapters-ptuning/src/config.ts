// P-tuning's options: the adapter's own config (what createPTuning takes) and a `kind: p-tuning`
// arm's options as a spec writes them, in PEFT's PromptEncoderConfig names with PEFT's defaults.
import { Schema } from "effect"
import { expecting, initFrom, literals, PositiveInt, withDefault } from "@peftlab/plugin-api"

/** PEFT's PromptEncoderReparameterizationType: the prompt encoder's network. */
export const reparameterizationTypes = ["MLP", "LSTM"] as const
export type ReparameterizationType = (typeof reparameterizationTypes)[number]

/** PEFT's default encoder_num_layers, the only one its MLP honours (it always has two hidden layers). */
export const mlpEncoderLayers = 2

export interface PTuningConfig {
  readonly numVirtualTokens: number
  readonly encoderReparameterizationType: ReparameterizationType
  /** The encoder's hidden width; PEFT's default is token_dim, the model's hidden size. */
  readonly encoderHiddenSize?: number
  /** The LSTM's depth (PEFT's default 2); the MLP always has two hidden layers. */
  readonly encoderNumLayers?: number
  /** Dropout between the LSTM's layers while training, as torch.nn.LSTM's dropout. */
  readonly encoderDropout?: number
  /** Recorded in adapter_config.json as PEFT does. */
  readonly baseModelNameOrPath?: string
}

// A p-tuning arm's options (PEFT's PromptEncoderConfig names and defaults, plus init_from, which
// checkOptions refuses: a saved P-tuning adapter holds the encoder's output, not the encoder).
export const PTuningOptions = Schema.Struct({
  ...initFrom,
  num_virtual_tokens: PositiveInt.pipe(expecting("a positive integer")),
  encoder_reparameterization_type: literals(reparameterizationTypes).pipe(withDefault("MLP")),
  encoder_hidden_size: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  encoder_num_layers: PositiveInt.pipe(withDefault(mlpEncoderLayers), expecting("a positive integer")),
  encoder_dropout: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThan(1)).pipe(
    withDefault(0),
    expecting("a probability in [0, 1)"),
  ),
})

export type PTuningOptions = typeof PTuningOptions.Type
