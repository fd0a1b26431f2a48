// bert-tiny's tokenizer.json, as loaded here, against ids from an independent uncased WordPiece
// written from BERT's tokenization.py (tools/tokenizer-references/bert_wordpiece.py; the fixture
// records the command), and against its reference decoding.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { loadTokenizer, type Tokenizer } from "../src/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping BERT reference tokenizer tests: PEFTLAB_MODELS unset")

interface Fixture {
  readonly command: string
  readonly cases: ReadonlyArray<{
    readonly text: string
    readonly ids: ReadonlyArray<number>
    readonly tokens: ReadonlyArray<string>
    readonly decoded: string
    readonly decodedWithSpecial: string
  }>
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "bert-reference.json"), "utf8")) as Fixture

describe.skipIf(!models)("bert-tiny's tokenizer.json against the BERT tokenization.py reference", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(join(models ?? "", "bert-tiny")))
  })

  it("the fixture covers a dozen or more texts, [UNK] included, and says how it was made", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(12)
    expect(fixture.cases.some((c) => c.tokens.includes("[UNK]"))).toBe(true)
    expect(fixture.command).toContain("bert_wordpiece.py")
  })

  it.each(fixture.cases.map((c) => [JSON.stringify(c.text), c] as const))("encodes %s to the reference ids, [CLS] first and [SEP] last", (_, { text, ids }) => {
    expect(tokenizer.encode(text)).toEqual(ids)
    expect(tokenizer.encode(text, { addSpecialTokens: false })).toEqual(ids.slice(1, -1))
  })

  it("decodes every reference as tokenizer.json's WordPiece decoder plus clean_up_tokenization_spaces do", () => {
    for (const { ids, decoded, decodedWithSpecial } of fixture.cases) {
      expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(decoded)
      expect(tokenizer.decode(ids)).toBe(decodedWithSpecial)
    }
  })
})
