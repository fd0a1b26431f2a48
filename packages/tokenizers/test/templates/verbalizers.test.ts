import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { encodeVerbalizers, loadTokenizer, type Tokenizer } from "../../src/index.ts"
import { tokenizerDir, wordPieceJson } from "../fixtures.ts"

describe("encodeVerbalizers with a WordPiece vocabulary", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(tokenizerDir({ "tokenizer.json": wordPieceJson })))
  })
  const encode = (verbalizers: Record<string, string>) => Effect.runPromise(encodeVerbalizers(tokenizer, verbalizers, "task.labels"))
  const failure = (verbalizers: Record<string, string>) => Effect.runPromise(Effect.flip(encodeVerbalizers(tokenizer, verbalizers, "task.labels")))

  it("gives each label its ids after a prompt, in the order given", async () => {
    // vocab: hello 3, world 4, ##s 5.
    expect(await encode({ greet: "hello", place: "worlds" })).toEqual({ labels: ["greet", "place"], ids: [[3], [4, 5]], warnings: [] })
  })

  it("warns when verbalizers share their first token", async () => {
    const { ids, warnings } = await encode({ a: "hello world", b: "hello worlds", c: "world" })
    expect(ids).toEqual([[3, 4], [3, 4, 5], [4]])
    expect(warnings).toEqual(['labels "a", "b" share their first token 3 ("hello"); only their later tokens separate them'])
  })

  it("rejects a verbalizer with no tokens and verbalizers with the same tokens", async () => {
    expect(await failure({ yes: "hello", no: " " })).toMatchObject({
      _tag: "TemplateError",
      source: "task.labels",
      detail: 'the verbalizer of label "no" (" ") has no tokens',
    })
    // The normaliser lowercases, so "HELLO" and "hello" are the same tokens.
    expect(await failure({ yes: "hello", no: "world", maybe: "HELLO" })).toMatchObject({
      detail: 'labels "yes", "maybe" have the same tokens [3], so no score can tell them apart',
    })
  })
})

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping encodeVerbalizers on GPT-2: PEFTLAB_MODELS unset")

describe.skipIf(!models)("encodeVerbalizers with tiny-gpt2", () => {
  it("gives PubMedQA's verbalizers their single GPT-2 tokens", async () => {
    const dir = join(models ?? "", "tiny-gpt2")
    const tokenizer = await Effect.runPromise(loadTokenizer(dir))
    // Reference: GPT-2's vocab.json, where "Ġ" marks a leading space.
    const vocab = JSON.parse(readFileSync(join(dir, "vocab.json"), "utf8")) as Record<string, number>
    const { ids, warnings } = await Effect.runPromise(encodeVerbalizers(tokenizer, { yes: " yes", no: " no", maybe: " maybe" }))
    expect(ids).toEqual([[vocab["Ġyes"]], [vocab["Ġno"]], [vocab["Ġmaybe"]]])
    expect(warnings).toEqual([])
  })
})
