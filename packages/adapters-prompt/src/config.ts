export interface PromptTuningConfig {
  readonly numVirtualTokens: number
  /** "random": drawn at the scale of the base's token embeddings; "text": copied from the embeddings of `initIds`. */
  readonly init: "random" | "text"
  /** Token ids of the init text (repeated or cut to numVirtualTokens), when init is "text". */
  readonly initIds?: ReadonlyArray<number>
  /** Recorded in adapter_config.json as PEFT does. */
  readonly initText?: string
  readonly baseModelNameOrPath?: string
}
