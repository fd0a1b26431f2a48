// GPT-2's tokenizer.json, as loaded here, against ids from an independent byte-level BPE written
// from OpenAI's encoder.py (tools/tokenizer-references/gpt2_bpe.py; the fixture records the command).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { loadTokenizer, type Tokenizer } from "../src/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping GPT-2 reference tokenizer tests: PEFTLAB_MODELS unset")

interface Fixture {
  readonly command: string
  readonly cases: ReadonlyArray<{ readonly text: string; readonly ids: ReadonlyArray<number> }>
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "gpt2-reference.json"), "utf8")) as Fixture

describe.skipIf(!models)("tiny-gpt2's tokenizer.json against the encoder.py reference", () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(join(models ?? "", "tiny-gpt2")))
  })

  it("the fixture covers a dozen or more texts and says how it was made", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(12)
    expect(fixture.command).toContain("gpt2_bpe.py")
  })

  it.each(fixture.cases.map((c) => [JSON.stringify(c.text), c] as const))("encodes %s to the reference ids (GPT-2 adds no special tokens)", (_, { text, ids }) => {
    expect(tokenizer.encode(text)).toEqual(ids)
  })

  it("decodes every reference back to its text exactly (byte-level BPE loses nothing)", () => {
    for (const { text, ids } of fixture.cases) expect(tokenizer.decode(ids)).toBe(text)
  })
})
