import { Effect } from "effect"
import { isInputError } from "@peftlab/core"
import { describe, expect, it } from "vitest"
import { loadTokenizer } from "../src/index.ts"
import { tokenizerDir, wordPieceJson } from "./fixtures.ts"

const load = (files: Record<string, unknown>) => Effect.runPromise(loadTokenizer(tokenizerDir(files)))
const loadError = async (files: Record<string, unknown>) => {
  const dir = tokenizerDir(files)
  return { dir, error: await Effect.runPromise(Effect.flip(loadTokenizer(dir))) }
}

describe("loadTokenizer (inline tokenizers)", () => {
  it("encodes, decodes and reads special tokens from the config, as strings or objects", async () => {
    const tokenizer = await load({ "tokenizer.json": wordPieceJson, "tokenizer_config.json": { pad_token: "[PAD]", bos_token: { content: "[BOS]" } } })
    expect(tokenizer.encode("Hello worlds")).toEqual([3, 4, 5])
    expect(tokenizer.encode("hello xyz")).toEqual([3, 0])
    expect(tokenizer.decode([3, 4, 5])).toBe("hello worlds")
    expect(tokenizer.decode([2, 3], { skipSpecialTokens: true })).toBe("hello")
    expect(tokenizer.decode([])).toBe("")
    expect([tokenizer.vocabSize, tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([7, 2, undefined, 1])
  })

  it("works without tokenizer_config.json, padding with id 0", async () => {
    const tokenizer = await load({ "tokenizer.json": wordPieceJson })
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([undefined, undefined, 0])
    expect(tokenizer.encode("world")).toEqual([4])
  })

  it("falls back to encoding the text alone when the anchor merges into it", async () => {
    // A BPE whose only merge joins ":" with a following space, so ": yes" has no clean boundary.
    const bpe = {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      added_tokens: [],
      model: { type: "BPE", vocab: { ":": 0, " ": 1, y: 2, e: 3, s: 4, ": ": 5 }, merges: [[":", " "]], ignore_merges: false },
    }
    const tokenizer = await load({ "tokenizer.json": bpe })
    expect(tokenizer.encode(": yes")).toEqual([5, 2, 3, 4])
    expect(tokenizer.continuationIds(" yes")).toEqual([1, 2, 3, 4])
  })

  it("names the file at fault", async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{}, "tokenizer.json", /^file not found$/],
      [{ "tokenizer.json": "{" }, "tokenizer.json", /^invalid JSON: /],
      [{ "tokenizer.json": {} }, "tokenizer.json", /missing the tokenizer model/],
      [{ "tokenizer.json": { model: { type: "BPE" } } }, "tokenizer.json", /^cannot build a tokenizer from it: /],
      [{ "tokenizer.json": { model: { type: "WordLevel", vocab: { a: 0 } } } }, "tokenizer.json", /"BPE" \| "WordPiece" \| "Unigram".*got "WordLevel" at \["model"\]\["type"\]/],
      [{ "tokenizer.json": wordPieceJson, "tokenizer_config.json": "[" }, "tokenizer_config.json", /^invalid JSON: /],
      [{ "tokenizer.json": wordPieceJson, "tokenizer_config.json": { pad_token: 3 } }, "tokenizer_config.json", /got 3 at \["pad_token"\]/],
      [{ "tokenizer.json": wordPieceJson, "tokenizer_config.json": { eos_token: "</s>" } }, "tokenizer_config.json", /^eos_token "<\/s>" is not in tokenizer.json's vocabulary$/],
    ]
    for (const [files, file, detail] of cases) {
      const { dir, error } = await loadError(files)
      expect(error._tag).toBe("TokenizerFileError")
      expect(error.source).toBe(`${dir}/${file}`)
      expect(error.detail).toMatch(detail)
      expect(isInputError(error)).toBe(true)
    }
  })
})
