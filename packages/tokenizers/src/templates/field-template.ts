// The spec's simple templates: text with `{field}` placeholders, encoded with special tokens.
import { Effect } from "effect"
import { TemplateError } from "../errors.ts"
import type { Tokenizer } from "../tokenizer.ts"
import { fieldsProblem, fillFields } from "./fields.ts"
import { type FittedPrompt, fitField } from "./fit-field.ts"

export interface TemplateRequest {
  /** Text with `{name}` placeholders, e.g. `"Question: {question}\nContext: {context}\nAnswer:"`. */
  readonly template: string
  readonly fields: Readonly<Record<string, string>>
  /** The only field that may be shortened (the context); the rest of the prompt is kept whole. */
  readonly truncateField: string
  readonly maxLength: number
  /** Tokens to leave free after the prompt (e.g. for the answer or virtual tokens); default 0. */
  readonly reserve?: number
}

export type EncodedPrompt = FittedPrompt

/**
 * Renders the template and encodes it with special tokens. When it is longer than
 * `maxLength - reserve`, only `truncateField` is shortened, from its end, until it fits.
 */
export const encodeTemplate = (tokenizer: Tokenizer, request: TemplateRequest): Effect.Effect<EncodedPrompt, TemplateError> =>
  Effect.suspend(() => {
    const { template, fields, truncateField, maxLength } = request
    const reserve = request.reserve ?? 0
    const problem = fieldsProblem([template], fields, truncateField, maxLength, reserve)
    if (problem !== undefined) return Effect.fail(new TemplateError({ source: "template", detail: problem }))
    const budget = maxLength - reserve
    return fitField(tokenizer, {
      render: (value) => Effect.succeed(fillFields(template, { ...fields, [truncateField]: value })),
      value: fields[truncateField] ?? "",
      budget,
      addSpecialTokens: true,
      tooLong: (minimumLength) =>
        new TemplateError({
          source: "maxLength",
          detail: `the prompt takes ${minimumLength} tokens even with an empty {${truncateField}}; maxLength ${maxLength} - reserve ${reserve} allows ${budget}`,
        }),
    })
  })
