// Instruction tuning for decoder-only models: the prompt ends with "### Response:\n" and the
// response after it is the target, the only tokens the loss covers.
import { Effect } from "effect"
import type { TemplateError } from "../errors.ts"
import type { Tokenizer } from "../tokenizer.ts"
import { encodeTemplate } from "./field-template.ts"
import { fillFields } from "./fields.ts"
import { capTarget, checkRoomForPrompt, eosOf, type EncodedPromptTarget, type PromptTargetRequest, responseIdsAfter } from "./target.ts"

export const INSTRUCTION_TEMPLATE = "### Instruction:\n{instruction}\n\n### Response:\n"
/** With a separate input, as in Stanford Alpaca's prompt (github.com/tatsu-lab/stanford_alpaca), without its preamble. */
export const INSTRUCTION_INPUT_TEMPLATE = "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"

export interface InstructionRequest extends Omit<PromptTargetRequest, "template"> {
  /** Default INSTRUCTION_TEMPLATE; it should end with the text the response follows. */
  readonly template?: string
}

/**
 * Prompt and target of one training sequence, promptIds ++ targetIds: the target is the
 * response's ids as they follow the prompt, then eos (when the tokenizer has one) so the model
 * learns to stop, capped to `maxTargetLength`. `maxLength` bounds the whole sequence: the
 * prompt gets what the target leaves, and only `truncateField` is shortened to fit.
 */
export const encodeInstruction = (tokenizer: Tokenizer, request: InstructionRequest): Effect.Effect<EncodedPromptTarget, TemplateError> =>
  Effect.gen(function* () {
    const template = request.template ?? INSTRUCTION_TEMPLATE
    // The template's text right before the response is never cut, so the boundary found on
    // the untruncated prompt holds for the truncated one.
    const content = responseIdsAfter(tokenizer, fillFields(template, request.fields), request.target)
    const target = yield* capTarget(content, eosOf(tokenizer), request.maxTargetLength)
    yield* checkRoomForPrompt(target.ids.length, request.maxLength)
    const { ids: promptIds, truncatedTokens } = yield* encodeTemplate(tokenizer, { ...request, template, reserve: target.ids.length })
    return { promptIds, targetIds: target.ids, truncatedTokens, truncatedTargetTokens: target.truncated }
  })
