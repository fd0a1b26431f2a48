// T5's text-to-text format (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with
// a Unified Text-to-Text Transformer", Fig. 1 and Appendix D): an optional task prefix, then
// "name: value" for each input; the target is plain text the decoder learns, ending in eos.
import { Effect } from "effect"
import type { TemplateError } from "../errors.ts"
import type { Tokenizer } from "../tokenizer.ts"
import { encodeTemplate } from "./field-template.ts"
import { capTarget, eosOf, type EncodedPromptTarget, type PromptTargetRequest } from "./target.ts"

/**
 * The `{field}` template of a T5 input: `textToTextTemplate(["question", "context"])` is
 * `"question: {question} context: {context}"`; `textToTextTemplate(["sentence1", "sentence2"], "stsb")`
 * is `"stsb sentence1: {sentence1} sentence2: {sentence2}"`. An unnamed input after a prefix
 * ("summarize: {article}") is a simple template written out directly.
 */
export const textToTextTemplate = (fields: ReadonlyArray<string>, prefix?: string): string =>
  [...(prefix ? [prefix] : []), ...fields.map((name) => `${name}: {${name}}`)].join(" ")

/**
 * Encoder input and decoder target of an encoder-decoder model: the prompt (special tokens
 * added, truncated to `maxLength`) and the target's ids followed by eos (when the tokenizer
 * has one), capped to `maxTargetLength`. The two lengths are separate, as the encoder and
 * decoder sequences are.
 */
export const encodeTextToText = (tokenizer: Tokenizer, request: PromptTargetRequest): Effect.Effect<EncodedPromptTarget, TemplateError> =>
  Effect.gen(function* () {
    const { ids: promptIds, truncatedTokens } = yield* encodeTemplate(tokenizer, request)
    const content = tokenizer.encode(request.target, { addSpecialTokens: false })
    const target = yield* capTarget(content, eosOf(tokenizer), request.maxTargetLength)
    return { promptIds, targetIds: target.ids, truncatedTokens, truncatedTargetTokens: target.truncated }
  })
