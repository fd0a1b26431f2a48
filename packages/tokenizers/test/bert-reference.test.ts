// bert-tiny's tokenizer.json, as loaded here, against Hugging Face's tokenizers library on the
// same file (tools/tokenizer-references/hf_tokenizers.py; the fixture records the command), and
// against transformers' decoding of those ids.
import { expect, it } from "vitest"
import { byText, describeReference, readReferenceFixture } from "./reference-fixtures.ts"

interface BertCase {
  readonly text: string
  readonly ids: ReadonlyArray<number>
  readonly tokens: ReadonlyArray<string>
  readonly decoded: string
  readonly decodedWithSpecial: string
}
const fixture = readReferenceFixture<BertCase>("bert")

describeReference("bert-tiny's tokenizer.json against tokenizers", { model: "bert-tiny", fixture, script: "hf_tokenizers.py" }, (tokenizer) => {
  it("the fixture has [UNK]s: a word over 100 characters and characters outside the vocabulary", () => {
    expect(fixture.cases.filter((c) => c.tokens.includes("[UNK]")).length).toBeGreaterThan(1)
    expect(fixture.cases.some((c) => c.text.split(" ").some((word) => word.length > 100) && c.tokens.includes("[UNK]"))).toBe(true)
  })

  it.each(byText(fixture.cases))("encodes %s to the reference ids, [CLS] first and [SEP] last", (_, { text, ids }) => {
    expect(tokenizer().encode(text)).toEqual(ids)
    expect(tokenizer().encode(text, { addSpecialTokens: false })).toEqual(ids.slice(1, -1))
  })

  it("decodes every reference as tokenizer.json's WordPiece decoder plus clean_up_tokenization_spaces do", () => {
    for (const { ids, decoded, decodedWithSpecial } of fixture.cases) {
      expect(tokenizer().decode(ids, { skipSpecialTokens: true })).toBe(decoded)
      expect(tokenizer().decode(ids)).toBe(decodedWithSpecial)
    }
  })
})
