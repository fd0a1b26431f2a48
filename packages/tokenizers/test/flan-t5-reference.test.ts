// FLAN-T5's tokenizer.json, as loaded here, against ids from Google's SentencePiece library on
// the spiece.model it was converted from (tools/tokenizer-references/t5_sentencepiece.py; the
// fixture records the command). Two known differences are asserted as such: tokenizer.json (HF's
// fast T5 tokenizer, which peftlab follows) keeps trailing whitespace as a lone "▁" (id 3) where
// SentencePiece drops it (huggingface/tokenizers#1250), and decoding with skipSpecialTokens drops
// <unk> where SentencePiece writes " ⁇ ".
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { loadTokenizer, type Tokenizer } from "../src/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping FLAN-T5 reference tokenizer tests: PEFTLAB_MODELS unset")

interface Fixture {
  readonly command: string
  readonly cases: ReadonlyArray<{ readonly text: string; readonly ids: ReadonlyArray<number>; readonly decoded: string }>
}
const [eosId, unkId, metaspaceId] = [1, 2, 3]
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "flan-t5-reference.json"), "utf8")) as Fixture

describe.skipIf(!models)("flan-t5-small's tokenizer.json against SentencePiece on spiece.model", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(join(models ?? "", "flan-t5-small")))
  })

  it("the fixture covers a dozen or more texts and says how it was made", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(12)
    expect(fixture.command).toContain("t5_sentencepiece.py")
  })

  it.each(fixture.cases.map((c) => [JSON.stringify(c.text), c] as const))("encodes %s to the reference ids, </s> (1) last", (_, { text, ids }) => {
    const trailingSpace = /\s$/.test(text)
    expect(tokenizer.encode(text)).toEqual(trailingSpace ? [...ids.slice(0, -1), metaspaceId, eosId] : ids)
  })

  it("the fixture has trailing whitespace, unknown characters and plain texts", () => {
    expect(fixture.cases.filter((c) => /\s$/.test(c.text)).length).toBeGreaterThan(0)
    expect(fixture.cases.filter((c) => c.ids.includes(unkId)).length).toBeGreaterThan(1)
    expect(fixture.cases.filter((c) => !c.ids.includes(unkId)).length).toBeGreaterThanOrEqual(10)
  })

  it("reads T5's special tokens: </s> = 1 ends, <pad> = 0 pads, no BOS", () => {
    expect([tokenizer.eosId, tokenizer.padId, tokenizer.bosId]).toEqual([1, 0, undefined])
    expect(tokenizer.encode("Yes.", { addSpecialTokens: false })).toEqual(fixture.cases[0]?.ids.slice(0, -1))
  })

  it("decodes the reference ids to SentencePiece's decoding (the normalized text), </s> and <unk> kept unless skipped", () => {
    for (const { ids, decoded } of fixture.cases) {
      expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(decoded.replaceAll(" ⁇ ", ""))
      expect(tokenizer.decode(ids)).toBe(`${decoded.replaceAll(" ⁇ ", "<unk>")}</s>`)
    }
  })
})
