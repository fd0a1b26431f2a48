// FLAN-T5's tokenizer.json, as loaded here, against ids from Google's SentencePiece library on
// the spiece.model it was converted from (tools/tokenizer-references/t5_sentencepiece.py; the
// fixture records the command). Two known differences are asserted as such: tokenizer.json (HF's
// fast T5 tokenizer, which peftlab follows) keeps trailing whitespace as a lone "▁" (id 3) where
// SentencePiece drops it (huggingface/tokenizers#1250), and decoding with skipSpecialTokens drops
// <unk> where SentencePiece writes " ⁇ ".
import { expect, it } from "vitest"
import { byText, describeReference, readReferenceFixture, type ReferenceCase } from "./reference-fixtures.ts"

const [eosId, unkId, metaspaceId] = [1, 2, 3]
const fixture = readReferenceFixture<ReferenceCase & { readonly decoded: string }>("flan-t5")

describeReference("flan-t5-small's tokenizer.json against SentencePiece on spiece.model", { model: "flan-t5-small", fixture, script: "t5_sentencepiece.py" }, (tokenizer) => {
  it.each(byText(fixture.cases))("encodes %s to the reference ids, </s> (1) last", (_, { text, ids }) => {
    const trailingSpace = /\s$/.test(text)
    expect(tokenizer().encode(text)).toEqual(trailingSpace ? [...ids.slice(0, -1), metaspaceId, eosId] : ids)
  })

  it("the fixture has trailing whitespace, unknown characters and plain texts", () => {
    expect(fixture.cases.filter((c) => /\s$/.test(c.text)).length).toBeGreaterThan(0)
    expect(fixture.cases.filter((c) => c.ids.includes(unkId)).length).toBeGreaterThan(1)
    expect(fixture.cases.filter((c) => !c.ids.includes(unkId)).length).toBeGreaterThanOrEqual(10)
  })

  it("reads T5's special tokens: </s> = 1 ends, <pad> = 0 pads, no BOS", () => {
    expect([tokenizer().eosId, tokenizer().padId, tokenizer().bosId]).toEqual([1, 0, undefined])
    expect(tokenizer().encode("Yes.", { addSpecialTokens: false })).toEqual(fixture.cases[0]?.ids.slice(0, -1))
  })

  it("decodes the reference ids to SentencePiece's decoding (the normalized text), </s> and <unk> kept unless skipped", () => {
    for (const { ids, decoded } of fixture.cases) {
      expect(tokenizer().decode(ids, { skipSpecialTokens: true })).toBe(decoded.replaceAll(" ⁇ ", ""))
      expect(tokenizer().decode(ids)).toBe(`${decoded.replaceAll(" ⁇ ", "<unk>")}</s>`)
    }
  })
})
