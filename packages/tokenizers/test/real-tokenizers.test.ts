import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { loadTokenizer, type Tokenizer } from "../src/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the tiny-gpt2 and bert-tiny tokenizer tests: PEFTLAB_MODELS unset")
const modelDir = (name: string) => join(models ?? "", name)
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"))

describe("stories260k (sentencepiece BPE, BOS first)", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(stories260kDir))
  })
  const reference = () =>
    (readJson(join(stories260kDir, "reference_logits.json")) as { prompts: Array<{ text: string; ids: Array<number> }> }).prompts

  it("reproduces the reference ids exactly", () => {
    expect(reference().length).toBeGreaterThan(0)
    for (const { text, ids } of reference()) expect(tokenizer.encode(text)).toEqual(ids)
  })

  it("decodes the reference ids back to the text", () => {
    for (const { text, ids } of reference()) {
      expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(text)
      expect(tokenizer.decode(ids)).toBe(`<s> ${text}`)
    }
  })

  it("reads the special tokens: <s> = 1, </s> = 2, no pad so eos pads", () => {
    expect([tokenizer.vocabSize, tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([512, 1, 2, 2])
    expect(tokenizer.encode("hi", { addSpecialTokens: false })[0]).not.toBe(1)
  })

  it("gives a verbalizer the ids it has after a prompt", () => {
    const prompt = tokenizer.encode("Answer:", { addSpecialTokens: false })
    for (const word of [" yes", " no"]) {
      const inPrompt = tokenizer.encode(`Answer:${word}`, { addSpecialTokens: false })
      expect(inPrompt.slice(0, prompt.length)).toEqual(prompt)
      expect(tokenizer.continuationIds(word)).toEqual(inPrompt.slice(prompt.length))
    }
  })
})

describe.skipIf(!models)("tiny-gpt2 (byte-level BPE)", () => {
  let tokenizer: Tokenizer
  let vocab: Record<string, number>
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(modelDir("tiny-gpt2")))
    vocab = readJson(join(modelDir("tiny-gpt2"), "vocab.json")) as Record<string, number>
  })

  it("encodes plain words as GPT-2's vocab.json has them (Ġ marks a leading space)", () => {
    const expected = ["Once", "Ġupon", "Ġa", "Ġtime"].map((token) => vocab[token])
    expect(expected.every((id) => id !== undefined)).toBe(true)
    expect(tokenizer.encode("Once upon a time")).toEqual(expected)
    expect(tokenizer.decode(tokenizer.encode("Once upon a time"))).toBe("Once upon a time")
  })

  it("uses <|endoftext|> for bos, eos and pad; vocab size from vocab.json", () => {
    const endOfText = vocab["<|endoftext|>"]
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([endOfText, endOfText, endOfText])
    expect(tokenizer.vocabSize).toBe(Object.keys(vocab).length)
  })

  it("gives ' yes' its single space-prefixed token", () => {
    expect(tokenizer.continuationIds(" yes")).toEqual([vocab["Ġyes"]])
    expect(tokenizer.continuationIds(" no")).toEqual([vocab["Ġno"]])
  })
})

describe.skipIf(!models)("bert-tiny (uncased WordPiece)", () => {
  let tokenizer: Tokenizer
  let idOf: (token: string) => number
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(modelDir("bert-tiny")))
    // vocab.txt lists one token per line; the line number is the id.
    const lines = readFileSync(join(modelDir("bert-tiny"), "vocab.txt"), "utf8").split("\n")
    idOf = (token) => lines.indexOf(token)
  })

  it("lowercases and wraps the sentence in [CLS] ... [SEP]", () => {
    const expected = ["[CLS]", "the", "cat", "sat", ".", "[SEP]"].map(idOf)
    expect(expected.every((id) => id >= 0)).toBe(true)
    expect(tokenizer.encode("The cat sat.")).toEqual(expected)
    expect(tokenizer.encode("The cat sat.", { addSpecialTokens: false })).toEqual(expected.slice(1, -1))
    expect(tokenizer.decode(expected, { skipSpecialTokens: true })).toBe("the cat sat.")
  })

  it("pads with [PAD] and has no bos or eos", () => {
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([undefined, undefined, idOf("[PAD]")])
    expect(tokenizer.vocabSize).toBe(30522)
  })
})
