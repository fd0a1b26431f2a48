import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { encodeTemplate, loadTokenizer, type TemplateRequest, type Tokenizer } from "../src/index.ts"
import { tokenizerDir, wordPieceJson } from "./fixtures.ts"

const template = "Question: {question}\nContext: {context}\nAnswer:"
const question = "Is the cat happy?"
const context = "The cat sat on the mat. It was happy and warm. The dog ran to the park and played with a red ball all day."
const request = (overrides: Partial<TemplateRequest> = {}): TemplateRequest => ({
  template,
  fields: { question, context },
  truncateField: "context",
  maxLength: 512,
  ...overrides,
})
const render = (ctx: string) => `Question: ${question}\nContext: ${ctx}\nAnswer:`

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping encodeTemplate tests on tiny-gpt2: PEFTLAB_MODELS unset")

const encodeTemplateTests = (name: string, dir: string) => () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(dir))
  })
  const encode = (r: TemplateRequest) => Effect.runPromise(encodeTemplate(tokenizer, r))

  it("encodes the rendered prompt with special tokens when it fits", async () => {
    const ids = tokenizer.encode(render(context))
    expect(await encode(request())).toEqual({ ids, truncatedTokens: 0 })
    expect(await encode(request({ maxLength: ids.length + 2, reserve: 2 }))).toEqual({ ids, truncatedTokens: 0 })
  })

  it("shortens only the context, from its end, to fit maxLength - reserve", async () => {
    const full = tokenizer.encode(render(context)).length
    const empty = tokenizer.encode(render("")).length
    const maxLength = empty + Math.floor((full - empty) / 2)
    const { ids, truncatedTokens } = await encode(request({ maxLength, reserve: 3 }))
    const budget = maxLength - 3
    expect(ids.length).toBeLessThanOrEqual(budget)
    expect(ids.length).toBeGreaterThanOrEqual(budget - 2) // cuts no more than edge merges demand
    expect(truncatedTokens).toBe(full - ids.length)
    expect(truncatedTokens).toBeGreaterThan(0)
    expect(ids[0] === tokenizer.bosId).toBe(name === "stories260k") // only the Llama tokenizer adds BOS

    const text = tokenizer.decode(ids, { skipSpecialTokens: true })
    const match = /^Question: (.*)\nContext: (.*)\nAnswer:$/s.exec(text)
    expect(match?.[1]).toBe(question)
    const kept = match?.[2] ?? ""
    expect(kept.length).toBeGreaterThan(0)
    expect(context.startsWith(kept)).toBe(true)
  })

  it("fails with a TemplateError when even an empty context does not fit", async () => {
    const empty = tokenizer.encode(render("")).length
    const error = await Effect.runPromise(Effect.flip(encodeTemplate(tokenizer, request({ maxLength: empty - 1 }))))
    expect(error._tag).toBe("TemplateError")
    expect(error.detail).toBe(`the prompt takes ${empty} tokens even with an empty {context}; maxLength ${empty - 1} - reserve 0 allows ${empty - 1}`)
  })
}

// stories260k is embedded in the repository (@peftlab/quickstart-assets); tiny-gpt2 comes from PEFTLAB_MODELS.
describe("encodeTemplate with stories260k", encodeTemplateTests("stories260k", stories260kDir))
describe.skipIf(!models)("encodeTemplate with tiny-gpt2", encodeTemplateTests("tiny-gpt2", join(models ?? "", "tiny-gpt2")))

describe("encodeTemplate request checks", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(tokenizerDir({ "tokenizer.json": wordPieceJson })))
  })
  const detail = (r: TemplateRequest) => Effect.runPromise(Effect.flip(encodeTemplate(tokenizer, r))).then((e) => e.detail)

  it("rejects placeholders without a value, a truncateField not in the template, and bad lengths", async () => {
    expect(await detail(request({ fields: { question } }))).toBe("no value for {context}; fields given: question")
    expect(await detail(request({ truncateField: "passage" }))).toBe('truncateField "passage" is not a placeholder in the template')
    expect(await detail(request({ maxLength: 4, reserve: 4 }))).toBe("expected integers maxLength > reserve >= 0, got maxLength 4, reserve 4")
    expect(await detail(request({ maxLength: 10.5 }))).toMatch(/^expected integers/)
  })

  it("renders field values literally, even ones that look like placeholders", async () => {
    const { ids } = await Effect.runPromise(
      encodeTemplate(tokenizer, { template: "{a} : {b}", fields: { a: "{b}", b: "world" }, truncateField: "b", maxLength: 50 }),
    )
    // "{b}" is not in the vocab: WordPiece splits it into "{", "b", "}", each unknown (0).
    expect(ids).toEqual([0, 0, 0, 6, 4])
  })
})
