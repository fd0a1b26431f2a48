import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { encodeTextToText, loadTokenizer, type PromptTargetRequest, textToTextTemplate, type Tokenizer } from "../../src/index.ts"

describe("textToTextTemplate", () => {
  it("builds T5's input formats", () => {
    // Raffel et al. 2020 (T5), Fig. 1: "stsb sentence1: The rhino grazed on the grass. sentence2: A rhino is
    // grazing in a field." and "cola sentence: The course is jumping well."; SQuAD in Appendix D: "question: … context: …".
    expect(textToTextTemplate(["sentence1", "sentence2"], "stsb")).toBe("stsb sentence1: {sentence1} sentence2: {sentence2}")
    expect(textToTextTemplate(["sentence"], "cola")).toBe("cola sentence: {sentence}")
    expect(textToTextTemplate(["question", "context"])).toBe("question: {question} context: {context}")
  })
})

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping encodeTextToText tests: PEFTLAB_MODELS unset")

describe.skipIf(!models)("encodeTextToText with flan-t5-small", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(join(models ?? "", "flan-t5-small")))
  })
  const question = "Does aspirin reduce fever?"
  const context = "Aspirin is a nonsteroidal anti-inflammatory drug. It lowers fever and relieves mild pain in adults and children over twelve."
  const request = (overrides: Partial<PromptTargetRequest> = {}): PromptTargetRequest => ({
    template: textToTextTemplate(["question", "context"]),
    fields: { question, context },
    truncateField: "context",
    target: "yes",
    maxLength: 512,
    ...overrides,
  })
  const encode = (r: PromptTargetRequest) => Effect.runPromise(encodeTextToText(tokenizer, r))

  it("encodes the T5 input and the target, each ending in </s>", async () => {
    // T5's tokenizer.json post-processor appends </s> to every sequence: it is the independent reference.
    const rendered = `question: ${question} context: ${context}`
    expect(await encode(request())).toEqual({
      promptIds: tokenizer.encode(rendered),
      targetIds: tokenizer.encode("yes"),
      truncatedTokens: 0,
      truncatedTargetTokens: 0,
    })
    expect(tokenizer.encode("yes").at(-1)).toBe(tokenizer.eosId)
  })

  it("shortens only the context of the input to fit maxLength", async () => {
    const full = tokenizer.encode(`question: ${question} context: ${context}`).length
    const { promptIds, truncatedTokens } = await encode(request({ maxLength: full - 8 }))
    expect(promptIds.length).toBeLessThanOrEqual(full - 8)
    expect(truncatedTokens).toBe(full - promptIds.length)
    const match = /^question: (.*) context: (.*)$/s.exec(tokenizer.decode(promptIds, { skipSpecialTokens: true }))
    expect(match?.[1]).toBe(question)
    expect(context.startsWith(match?.[2] ?? "-")).toBe(true)
  })

  it("caps a long target from its end and keeps </s>", async () => {
    const target = "Aspirin lowers fever in adults and in children over twelve years of age."
    const content = tokenizer.encode(target, { addSpecialTokens: false })
    const { targetIds, truncatedTargetTokens } = await encode(request({ target, maxTargetLength: 6 }))
    expect(targetIds).toEqual([...content.slice(0, 5), tokenizer.eosId])
    expect(truncatedTargetTokens).toBe(content.length - 5)
    const error = await Effect.runPromise(Effect.flip(encodeTextToText(tokenizer, request({ maxTargetLength: 1 }))))
    expect(error.detail).toBe("expected an integer maxTargetLength > 1 (the target's end tokens), got 1")
  })
})
