// FLAN-T5's tokenizer.json, as loaded here, against Hugging Face's tokenizers library on the same
// file (tools/tokenizer-references/hf_tokenizers.py; the fixture records the command), and against
// transformers' decoding of those ids. tokenizer.json (HF's fast T5 tokenizer) keeps trailing
// whitespace as a lone "▁" (id 3), where SentencePiece on spiece.model drops it
// (huggingface/tokenizers#1250): the fixture has such texts.
import { expect, it } from "vitest"
import { byText, describeReference, readReferenceFixture, type ReferenceCase } from "./reference-fixtures.ts"

const [eosId, unkId, metaspaceId] = [1, 2, 3]
const fixture = readReferenceFixture<ReferenceCase & { readonly decoded: string; readonly decodedWithSpecial: string }>("flan-t5")

describeReference("flan-t5-small's tokenizer.json against tokenizers", { model: "flan-t5-small", fixture, script: "hf_tokenizers.py" }, (tokenizer) => {
  it.each(byText(fixture.cases))("encodes %s to the reference ids, </s> (1) last", (_, { text, ids }) => {
    expect(tokenizer().encode(text)).toEqual(ids)
  })

  it("the fixture has trailing whitespace (a lone ▁ before </s>), unknown characters and plain texts", () => {
    expect(fixture.cases.filter((c) => /\s$/.test(c.text)).every((c) => c.ids.at(-2) === metaspaceId && c.ids.at(-1) === eosId)).toBe(true)
    expect(fixture.cases.filter((c) => /\s$/.test(c.text)).length).toBeGreaterThan(0)
    expect(fixture.cases.filter((c) => c.ids.includes(unkId)).length).toBeGreaterThan(1)
    expect(fixture.cases.filter((c) => !c.ids.includes(unkId)).length).toBeGreaterThanOrEqual(10)
  })

  it("reads T5's special tokens: </s> = 1 ends, <pad> = 0 pads, no BOS", () => {
    expect([tokenizer().eosId, tokenizer().padId, tokenizer().bosId]).toEqual([1, 0, undefined])
    expect(tokenizer().encode("Yes.", { addSpecialTokens: false })).toEqual(fixture.cases[0]?.ids.slice(0, -1))
  })

  it("decodes the reference ids as transformers does, </s> and <unk> kept unless skipped", () => {
    for (const { ids, decoded, decodedWithSpecial } of fixture.cases) {
      expect(tokenizer().decode(ids, { skipSpecialTokens: true })).toBe(decoded)
      expect(tokenizer().decode(ids)).toBe(decodedWithSpecial)
    }
  })
})
