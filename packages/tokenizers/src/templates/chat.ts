// Chat templates: the Jinja `chat_template` of a tokenizer_config.json, rendered with
// @huggingface/jinja the way transformers' apply_chat_template does (messages,
// add_generation_prompt, the config's bos_token/eos_token; trim_blocks and lstrip_blocks on).
import { join } from "node:path"
import { Template } from "@huggingface/jinja"
import { Effect, Schema } from "effect"
import { TemplateError, type TokenizerFileError } from "../errors.ts"
import { decodeFile, readJson } from "../json-files.ts"
import { TokenName, tokenContent } from "../special-tokens.ts"
import type { Tokenizer } from "../tokenizer.ts"
import { fieldsProblem, fillFields } from "./fields.ts"
import { fitField } from "./fit-field.ts"
import { capTarget, checkRoomForPrompt, type EncodedPromptTarget, responseIdsAfter } from "./target.ts"

export interface ChatMessage {
  readonly role: string
  readonly content: string
}

export interface ChatTemplate {
  /** The tokenizer_config.json the template came from. */
  readonly source: string
  readonly bosToken: string | undefined
  readonly eosToken: string | undefined
  /** The conversation as text; a template's raise_exception or a runtime error is a TemplateError. */
  readonly render: (messages: ReadonlyArray<ChatMessage>, options: { readonly addGenerationPrompt: boolean }) => Effect.Effect<string, TemplateError>
}

// Newer configs may hold several named templates; "default" is the one for plain chat.
const NamedTemplates = Schema.Array(Schema.Struct({ name: Schema.String, template: Schema.String }))
const ChatConfig = Schema.Struct({
  chat_template: Schema.optional(Schema.Union([Schema.String, NamedTemplates])),
  bos_token: Schema.optional(TokenName),
  eos_token: Schema.optional(TokenName),
})

const chosenTemplate = (chatTemplate: typeof ChatConfig.Type["chat_template"], source: string): Effect.Effect<string, TemplateError> => {
  if (chatTemplate === undefined) {
    return Effect.fail(new TemplateError({ source, detail: "no chat_template: this tokenizer has no chat format; use a {field} or instruction template instead" }))
  }
  if (typeof chatTemplate === "string") return Effect.succeed(chatTemplate)
  const named = chatTemplate.find((t) => t.name === "default")
  if (named) return Effect.succeed(named.template)
  const names = chatTemplate.map((t) => t.name).join(", ") || "none"
  return Effect.fail(new TemplateError({ source, detail: `chat_template lists templates named ${names} but none named "default"` }))
}

/** Reads `dir/tokenizer_config.json`'s chat_template and special tokens. */
export const loadChatTemplate = (dir: string): Effect.Effect<ChatTemplate, TokenizerFileError | TemplateError> =>
  Effect.gen(function* () {
    const source = join(dir, "tokenizer_config.json")
    const config = yield* decodeFile(ChatConfig, source, yield* readJson(source))
    const text = yield* chosenTemplate(config.chat_template, source)
    const template = yield* Effect.try({
      try: () => new Template(text),
      catch: (e) => new TemplateError({ source, detail: `chat_template is not valid Jinja: ${(e as Error).message}` }),
    })
    const bosToken = config.bos_token ? tokenContent(config.bos_token) : undefined
    const eosToken = config.eos_token ? tokenContent(config.eos_token) : undefined
    // Only tokens the config names are passed: an undefined variable is Jinja's `undefined`, as in transformers.
    const specialTokens = { ...(bosToken === undefined ? {} : { bos_token: bosToken }), ...(eosToken === undefined ? {} : { eos_token: eosToken }) }
    return {
      source,
      bosToken,
      eosToken,
      render: (messages, { addGenerationPrompt }) =>
        Effect.try({
          try: () => template.render({ messages: messages.map((m) => ({ role: m.role, content: m.content })), add_generation_prompt: addGenerationPrompt, ...specialTokens }),
          catch: (e) => new TemplateError({ source, detail: `chat_template failed to render: ${(e as Error).message}` }),
        }),
    }
  })

export interface ChatRequest {
  /** Message contents may hold `{field}` placeholders, filled from `fields`. */
  readonly messages: ReadonlyArray<ChatMessage>
  readonly fields: Readonly<Record<string, string>>
  /** The only field that may be shortened; the template's and the messages' own text is kept whole. */
  readonly truncateField: string
  /** Bounds prompt + target together, as one decoder sequence. */
  readonly maxLength: number
  /** The assistant reply to train on, appended as a final assistant message; absent at inference. */
  readonly target?: string
  /** Cap on the target's tokens (its end-of-turn text included, cut like the rest). */
  readonly maxTargetLength?: number
}

/**
 * The prompt is the conversation rendered with add_generation_prompt and encoded without
 * special tokens (the template writes its own, as apply_chat_template does). With a target,
 * the conversation is rendered again with the reply as a last assistant message; what it adds
 * after the prompt (the reply and the template's end-of-turn text) is the target.
 */
export const encodeChat = (tokenizer: Tokenizer, chat: ChatTemplate, request: ChatRequest): Effect.Effect<EncodedPromptTarget, TemplateError> =>
  Effect.gen(function* () {
    const { messages, fields, truncateField, maxLength, target } = request
    const problem = fieldsProblem(messages.map((m) => m.content), fields, truncateField, maxLength, 0)
    if (problem !== undefined) return yield* Effect.fail(new TemplateError({ source: "messages", detail: problem }))
    const filled = (value: string) => messages.map((m) => ({ role: m.role, content: fillFields(m.content, { ...fields, [truncateField]: value }) }))
    const value = fields[truncateField] ?? ""
    const promptText = yield* chat.render(filled(value), { addGenerationPrompt: true })

    let targetIds: Array<number> = []
    let truncatedTargetTokens = 0
    if (target !== undefined) {
      const fullText = yield* chat.render([...filled(value), { role: "assistant", content: target }], { addGenerationPrompt: false })
      if (!fullText.startsWith(promptText)) {
        const detail = "the conversation with the reply does not begin with the prompt rendered with add_generation_prompt, so the reply cannot be split off as the target"
        return yield* Effect.fail(new TemplateError({ source: chat.source, detail }))
      }
      const capped = yield* capTarget(responseIdsAfter(tokenizer, promptText, fullText.slice(promptText.length)), [], request.maxTargetLength)
      targetIds = capped.ids
      truncatedTargetTokens = capped.truncated
      yield* checkRoomForPrompt(targetIds.length, maxLength)
    }

    const budget = maxLength - targetIds.length
    const { ids: promptIds, truncatedTokens } = yield* fitField(tokenizer, {
      render: (v) => chat.render(filled(v), { addGenerationPrompt: true }),
      value,
      budget,
      addSpecialTokens: false,
      tooLong: (minimumLength) =>
        new TemplateError({
          source: "maxLength",
          detail: `the chat prompt takes ${minimumLength} tokens even with an empty {${truncateField}}; maxLength ${maxLength} - target ${targetIds.length} allows ${budget}`,
        }),
    })
    return { promptIds, targetIds, truncatedTokens, truncatedTargetTokens }
  })
