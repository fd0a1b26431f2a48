import { Schema } from "effect"
import { expecting, initFrom, literals, NonEmptyText, PositiveInt, withDefault } from "@peftlab/plugin-api"

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

/** How a prompt arm's virtual tokens start: drawn at random, or from the embeddings of `init_text`. */
export const promptInits = ["random", "text"] as const

// A prompt arm's options as a spec writes them (PEFT's PromptTuningConfig names, plus unfreeze_base and init_from).
export const PromptOptions = Schema.Struct({
  ...initFrom,
  num_virtual_tokens: PositiveInt.pipe(expecting("a positive integer")),
  init: literals(promptInits).pipe(withDefault("random")),
  init_text: Schema.optionalKey(NonEmptyText).pipe(expecting("a non-empty text")),
  // Train the base model's weights too (soft prompt, unfrozen).
  unfreeze_base: Schema.Boolean.pipe(withDefault(false), expecting("true or false")),
})

export type PromptOptions = typeof PromptOptions.Type
