import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { type ChatMessage, type ChatRequest, type ChatTemplate, encodeChat, loadChatTemplate, loadTokenizer, type Tokenizer } from "../../src/index.ts"
import { tokenizerDir } from "../fixtures.ts"

// ChatML, as given in the transformers docs' chat templating guide.
const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
// Zephyr's, from HuggingFaceH4/zephyr-7b-beta's tokenizer_config.json: newlines after block tags are
// dropped (trim_blocks), those after {{ … }} kept.
const ZEPHYR =
  "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n" +
  "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n" +
  "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n" +
  "{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"

const load = (config: Record<string, unknown>) => Effect.runPromise(loadChatTemplate(tokenizerDir({ "tokenizer_config.json": config })))
const render = (chat: ChatTemplate, messages: ReadonlyArray<ChatMessage>, addGenerationPrompt: boolean) =>
  Effect.runPromise(chat.render(messages, { addGenerationPrompt }))
const failure = <E>(effect: Effect.Effect<unknown, E>) => Effect.runPromise(Effect.flip(effect))

describe("loadChatTemplate", () => {
  it("renders ChatML exactly, with and without the generation prompt", async () => {
    const chat = await load({ chat_template: CHATML, bos_token: "<s>", eos_token: "</s>" })
    const messages = [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello" },
    ]
    const conversation = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
    expect(await render(chat, messages, true)).toBe(`${conversation}<|im_start|>assistant\n`)
    expect(await render(chat, messages, false)).toBe(conversation)
  })

  it("renders Zephyr's template exactly, eos_token from the config", async () => {
    // Expected text: the Zephyr example of the transformers chat templating guide.
    const chat = await load({ chat_template: ZEPHYR, eos_token: { content: "</s>" } })
    expect(chat.eosToken).toBe("</s>")
    expect(chat.bosToken).toBeUndefined()
    const messages = [
      { role: "system", content: "You are a friendly chatbot who always responds in the style of a pirate" },
      { role: "user", content: "How many helicopters can a human eat in one sitting?" },
    ]
    expect(await render(chat, messages, true)).toBe(
      "<|system|>\nYou are a friendly chatbot who always responds in the style of a pirate</s>\n" +
        "<|user|>\nHow many helicopters can a human eat in one sitting?</s>\n<|assistant|>\n",
    )
  })

  it("takes the template named default from a list", async () => {
    const chat = await load({ chat_template: [{ name: "tool_use", template: "tools" }, { name: "default", template: CHATML }] })
    expect(await render(chat, [{ role: "user", content: "Hi" }], false)).toBe("<|im_start|>user\nHi<|im_end|>\n")
  })

  it("fails with a TemplateError naming the file when there is no usable chat_template", async () => {
    const dir = tokenizerDir({ "tokenizer_config.json": { eos_token: "</s>" } })
    expect(await failure(loadChatTemplate(dir))).toMatchObject({
      _tag: "TemplateError",
      source: join(dir, "tokenizer_config.json"),
      detail: "no chat_template: this tokenizer has no chat format; use a {field} or instruction template instead",
    })
    const noDefault = tokenizerDir({ "tokenizer_config.json": { chat_template: [{ name: "rag", template: "x" }] } })
    expect(await failure(loadChatTemplate(noDefault))).toMatchObject({
      _tag: "TemplateError",
      detail: 'chat_template lists templates named rag but none named "default"',
    })
    const badJinja = tokenizerDir({ "tokenizer_config.json": { chat_template: "{% for m in messages %}" } })
    expect(await failure(loadChatTemplate(badJinja))).toMatchObject({ _tag: "TemplateError", detail: expect.stringMatching(/^chat_template is not valid Jinja: /) })
    expect(await failure(loadChatTemplate(tokenizerDir({})))).toMatchObject({ _tag: "TokenizerFileError", detail: "file not found" })
  })

  it("turns the template's raise_exception into a TemplateError", async () => {
    const chat = await load({
      chat_template: "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ m['content'] }}{% endfor %}",
    })
    expect(await render(chat, [{ role: "user", content: "Hi" }], false)).toBe("Hi")
    const error = await failure(chat.render([{ role: "system", content: "Be brief." }], { addGenerationPrompt: false }))
    expect(error).toMatchObject({ _tag: "TemplateError", source: chat.source, detail: expect.stringContaining("System role not supported") })
  })
})

describe("encodeChat with stories260k and Zephyr's template", () => {
  let tokenizer: Tokenizer
  let chat: ChatTemplate
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(stories260kDir))
    chat = await load({ chat_template: ZEPHYR, bos_token: "<s>", eos_token: "</s>" })
  })
  const question = "Is the cat happy?"
  const context = "The cat sat on the mat. It was happy and warm. The dog ran to the park and played with a red ball."
  const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [
      { role: "system", content: "Answer yes or no." },
      { role: "user", content: "Question: {question}\nContext: {context}" },
    ],
    fields: { question, context },
    truncateField: "context",
    maxLength: 512,
    target: "yes",
    ...overrides,
  })
  const encode = (r: ChatRequest) => Effect.runPromise(encodeChat(tokenizer, chat, r))
  const promptText = (ctx: string) => `<|system|>\nAnswer yes or no.</s>\n<|user|>\nQuestion: ${question}\nContext: ${ctx}</s>\n<|assistant|>\n`

  it("encodes the rendered prompt without added special tokens, and the reply with its end of turn as target", async () => {
    const { promptIds, targetIds, truncatedTokens } = await encode(request())
    expect(promptIds).toEqual(tokenizer.encode(promptText(context), { addSpecialTokens: false }))
    // The conversation with the reply, rendered by hand and encoded in one go.
    expect([...promptIds, ...targetIds]).toEqual(tokenizer.encode(`${promptText(context)}yes</s>\n`, { addSpecialTokens: false }))
    expect(targetIds).toContain(tokenizer.eosId) // "</s>" in the text is the eos token
    expect(truncatedTokens).toBe(0)
    expect((await encode(request({ target: undefined }))).targetIds).toEqual([])
  })

  it("shortens only the context field to fit maxLength with the target", async () => {
    const whole = tokenizer.encode(promptText(context), { addSpecialTokens: false }).length
    const { targetIds } = await encode(request())
    const maxLength = whole + targetIds.length - 10
    const { promptIds, truncatedTokens } = await encode(request({ maxLength }))
    expect(promptIds.length + targetIds.length).toBeLessThanOrEqual(maxLength)
    expect(truncatedTokens).toBe(whole - promptIds.length)
    // stories260k's normaliser prepends "▁" to the text after each special token: it decodes as a space.
    const text = tokenizer.decode(promptIds)
    const match = /^<\|system\|>\nAnswer yes or no\.<\/s> ?\n<\|user\|>\nQuestion: Is the cat happy\?\nContext: (.*)<\/s> ?\n<\|assistant\|>\n$/s.exec(text)
    expect(context.startsWith(match?.[1] ?? "-")).toBe(true)
    const tooShort = await failure(encodeChat(tokenizer, chat, request({ maxLength: 20 })))
    expect(tooShort.detail).toMatch(/^the chat prompt takes \d+ tokens even with an empty \{context\}; maxLength 20 - target \d+ allows \d+$/)
  })

  it("rejects placeholders without a value and a template whose reply does not extend the prompt", async () => {
    const missing = await failure(encodeChat(tokenizer, chat, request({ fields: { context } })))
    expect(missing).toMatchObject({ source: "messages", detail: "no value for {question}; fields given: context" })
    // The generation prompt "<|assistant|>:" is not how a reply starts ("<|assistant|>\n…").
    const inconsistent = await load({ chat_template: ZEPHYR.replace("'<|assistant|>' }}", "'<|assistant|>:' }}"), eos_token: "</s>" })
    const error = await failure(encodeChat(tokenizer, inconsistent, request()))
    expect(error).toMatchObject({ source: inconsistent.source, detail: expect.stringMatching(/cannot be split off as the target$/) })
  })
})
