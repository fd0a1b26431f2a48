import { Schema } from "effect"
import { expecting, initFrom, PositiveInt, withDefault } from "@peftlab/plugin-api"

export interface PrefixTuningConfig {
  readonly numVirtualTokens: number
  /** Train the prefix through PEFT's two-layer MLP (prefix_projection); foldProjection() removes it for inference. */
  readonly prefixProjection?: boolean
  /** The MLP's hidden width; PEFT's default is token_dim, the key/value width. */
  readonly encoderHiddenSize?: number
  /** Recorded in adapter_config.json as PEFT does. */
  readonly baseModelNameOrPath?: string
}

// A prefix arm's options as a spec writes them (PEFT's PrefixTuningConfig names, plus init_from).
export const PrefixOptions = Schema.Struct({
  ...initFrom,
  num_virtual_tokens: PositiveInt.pipe(expecting("a positive integer")),
  // Reparameterise the prefix through an MLP while training (folded away afterwards).
  prefix_projection: Schema.Boolean.pipe(withDefault(false), expecting("true or false")),
  encoder_hidden_size: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
})

export type PrefixOptions = typeof PrefixOptions.Type
