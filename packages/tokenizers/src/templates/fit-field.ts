// The one truncation rule of every template kind: only the named field is shortened, from
// its end, until the whole rendered prompt fits; the template's own text is never cut.
import { Effect } from "effect"
import { TemplateError } from "../errors.ts"
import type { Tokenizer } from "../tokenizer.ts"

export interface FittedPrompt {
  readonly ids: Array<number>
  /** How many tokens shorter the prompt is than it would have been untruncated. */
  readonly truncatedTokens: number
}

export interface FitRequest<E> {
  /** The whole prompt text with `value` in the truncated field's place. */
  readonly render: (value: string) => Effect.Effect<string, E>
  readonly value: string
  readonly budget: number
  readonly addSpecialTokens: boolean
  /** The error when the prompt takes `minimumLength` > budget tokens even with an empty field. */
  readonly tooLong: (minimumLength: number) => TemplateError
}

export const fitField = <E>(tokenizer: Tokenizer, request: FitRequest<E>): Effect.Effect<FittedPrompt, E | TemplateError> =>
  Effect.gen(function* () {
    const encodeWith = (value: string) =>
      Effect.map(request.render(value), (text) => tokenizer.encode(text, { addSpecialTokens: request.addSpecialTokens }))
    const full = yield* encodeWith(request.value)
    let ids = full
    let kept = tokenizer.encode(request.value, { addSpecialTokens: false })
    while (ids.length > request.budget) {
      if (kept.length === 0) return yield* Effect.fail(request.tooLong(ids.length))
      // Tokens can merge differently at the field's edges once it is back in the template,
      // so cut by the overshoot and re-encode until the whole prompt fits.
      kept = kept.slice(0, Math.max(0, kept.length - (ids.length - request.budget)))
      ids = yield* encodeWith(tokenizer.decode(kept, { skipSpecialTokens: true }))
    }
    return { ids, truncatedTokens: full.length - ids.length }
  })
