import { Effect } from "effect"
import { TemplateError } from "./errors.ts"
import type { Tokenizer } from "./tokenizer.ts"

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

export interface EncodedPrompt {
  readonly ids: Array<number>
  /** How many tokens shorter the prompt is than it would have been untruncated. */
  readonly truncatedTokens: number
}

const PLACEHOLDER = /\{(\w+)\}/g

const render = (template: string, fields: Readonly<Record<string, string>>): string =>
  template.replace(PLACEHOLDER, (_, name: string) => fields[name] ?? "")

const checkRequest = (request: TemplateRequest, reserve: number): string | undefined => {
  const names = [...request.template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "")
  const missing = names.filter((name) => request.fields[name] === undefined)
  if (missing.length > 0) return `no value for {${missing.join("}, {")}}; fields given: ${Object.keys(request.fields).join(", ") || "none"}`
  if (!names.includes(request.truncateField)) return `truncateField "${request.truncateField}" is not a placeholder in the template`
  if (!Number.isInteger(request.maxLength) || !Number.isInteger(reserve) || reserve < 0 || request.maxLength - reserve < 1) {
    return `expected integers maxLength > reserve >= 0, got maxLength ${request.maxLength}, reserve ${reserve}`
  }
  return undefined
}

/**
 * Renders the template and encodes it with special tokens. When it is longer than
 * `maxLength - reserve`, only `truncateField` is shortened, from its end, until it fits.
 */
export const encodeTemplate = (tokenizer: Tokenizer, request: TemplateRequest): Effect.Effect<EncodedPrompt, TemplateError> =>
  Effect.suspend(() => {
    const reserve = request.reserve ?? 0
    const problem = checkRequest(request, reserve)
    if (problem !== undefined) return Effect.fail(new TemplateError({ source: "template", detail: problem }))

    const budget = request.maxLength - reserve
    const encodeWith = (value: string) => tokenizer.encode(render(request.template, { ...request.fields, [request.truncateField]: value }))
    const value = request.fields[request.truncateField] ?? ""
    const full = encodeWith(value)
    let ids = full
    let kept = tokenizer.encode(value, { addSpecialTokens: false })
    while (ids.length > budget) {
      if (kept.length === 0) {
        const detail = `the prompt takes ${ids.length} tokens even with an empty {${request.truncateField}}; maxLength ${request.maxLength} - reserve ${reserve} allows ${budget}`
        return Effect.fail(new TemplateError({ source: "maxLength", detail }))
      }
      // Tokens can merge differently at the field's edges once it is back in the template,
      // so cut by the overshoot and re-encode until the whole prompt fits.
      kept = kept.slice(0, Math.max(0, kept.length - (ids.length - budget)))
      ids = encodeWith(tokenizer.decode(kept, { skipSpecialTokens: true }))
    }
    return Effect.succeed({ ids, truncatedTokens: full.length - ids.length })
  })
