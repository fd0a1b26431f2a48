export interface PrefixTuningConfig {
  readonly numVirtualTokens: number
  /** Train the prefix through PEFT's two-layer MLP (prefix_projection); foldProjection() removes it for inference. */
  readonly prefixProjection?: boolean
  /** The MLP's hidden width; PEFT's default is token_dim, the key/value width. */
  readonly encoderHiddenSize?: number
  /** Recorded in adapter_config.json as PEFT does. */
  readonly baseModelNameOrPath?: string
}
