// GPT-2's tokenizer.json, as loaded here, against Hugging Face's tokenizers library on the same
// file (tools/tokenizer-references/hf_tokenizers.py; the fixture records the command).
import { expect, it } from "vitest"
import { byText, describeReference, readReferenceFixture } from "./reference-fixtures.ts"

const fixture = readReferenceFixture("gpt2")

describeReference("tiny-gpt2's tokenizer.json against tokenizers", { model: "tiny-gpt2", fixture, script: "hf_tokenizers.py" }, (tokenizer) => {
  it.each(byText(fixture.cases))("encodes %s to the reference ids (GPT-2 adds no special tokens)", (_, { text, ids }) => {
    expect(tokenizer().encode(text)).toEqual(ids)
  })

  it("decodes every reference back to its text exactly (byte-level BPE loses nothing)", () => {
    for (const { text, ids } of fixture.cases) expect(tokenizer().decode(ids)).toBe(text)
  })
})
