// Training targets that follow a prompt: the response's ids as they come after the prompt
// text, capped to a maximum length.
import { Effect } from "effect"
import { TemplateError } from "../errors.ts"
import type { Tokenizer } from "../tokenizer.ts"

export interface PromptTargetRequest {
  /** A `{field}` template for the prompt. */
  readonly template: string
  readonly fields: Readonly<Record<string, string>>
  /** The only input field that may be shortened; the template's text is kept whole. */
  readonly truncateField: string
  readonly target: string
  /** Token limit: the encoder input for text-to-text, prompt and target together for a decoder-only sequence. */
  readonly maxLength: number
  /** Cap on the target's tokens, end token included; uncapped when absent. */
  readonly maxTargetLength?: number
}

/** A prompt and the target the loss is computed on. */
export interface EncodedPromptTarget {
  readonly promptIds: Array<number>
  readonly targetIds: Array<number>
  /** How many tokens the truncated input field lost so that the prompt fits. */
  readonly truncatedTokens: number
  /** How many tokens were cut from the end of the target to fit maxTargetLength. */
  readonly truncatedTargetTokens: number
}

const startsWith = (ids: ReadonlyArray<number>, prefix: ReadonlyArray<number>): boolean =>
  prefix.length <= ids.length && prefix.every((id, i) => ids[i] === id)

/**
 * The ids `response` gets when it is encoded right after `prompt` (a tokenizer may treat the
 * start of input specially, e.g. SentencePiece's leading "▁"), no special tokens. When the
 * response's first characters merge with the prompt's last token there is no clean boundary,
 * and the response is encoded on its own.
 */
export const responseIdsAfter = (tokenizer: Tokenizer, prompt: string, response: string): Array<number> => {
  const promptIds = tokenizer.encode(prompt, { addSpecialTokens: false })
  const joint = tokenizer.encode(prompt + response, { addSpecialTokens: false })
  return startsWith(joint, promptIds) ? joint.slice(promptIds.length) : tokenizer.encode(response, { addSpecialTokens: false })
}

/** The end-of-sequence suffix of a target: [eos], or nothing for a tokenizer without one. */
export const eosOf = (tokenizer: Tokenizer): Array<number> => (tokenizer.eosId === undefined ? [] : [tokenizer.eosId])

/**
 * `content` followed by `suffix` (e.g. [eos]), at most `maxTargetLength` tokens: the content
 * is cut from its end and the suffix kept, as Hugging Face tokenizers truncate before adding
 * special tokens.
 */
export const capTarget = (
  content: ReadonlyArray<number>,
  suffix: ReadonlyArray<number>,
  maxTargetLength: number | undefined,
): Effect.Effect<{ readonly ids: Array<number>; readonly truncated: number }, TemplateError> => {
  const whole = [...content, ...suffix]
  if (maxTargetLength === undefined) return Effect.succeed({ ids: whole, truncated: 0 })
  if (!Number.isInteger(maxTargetLength) || maxTargetLength <= suffix.length) {
    const detail = `expected an integer maxTargetLength > ${suffix.length} (the target's end tokens), got ${maxTargetLength}`
    return Effect.fail(new TemplateError({ source: "maxTargetLength", detail }))
  }
  const kept = content.slice(0, maxTargetLength - suffix.length)
  return Effect.succeed({ ids: [...kept, ...suffix], truncated: content.length - kept.length })
}

/** A decoder-only sequence needs at least one prompt token besides the target. */
export const checkRoomForPrompt = (targetLength: number, maxLength: number): Effect.Effect<void, TemplateError> =>
  targetLength < maxLength
    ? Effect.void
    : Effect.fail(
        new TemplateError({
          source: "maxLength",
          detail: `the target takes ${targetLength} tokens, leaving no room for the prompt in maxLength ${maxLength}; set maxTargetLength below it`,
        }),
      )
