// The shape every *-reference test shares: a fixture of reference ids written by a script in
// tools/tokenizer-references/ over clinical_texts.py, and a real tokenizer.json under
// PEFTLAB_MODELS to check against it (skipped, with the reason printed, when that is unset).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { loadTokenizer, type Tokenizer } from "../src/index.ts"

export interface ReferenceCase {
  readonly text: string
  readonly ids: ReadonlyArray<number>
}

export interface ReferenceFixture<Case extends ReferenceCase> {
  readonly command: string
  readonly cases: ReadonlyArray<Case>
}

const fixtureNames = ["bert", "gpt2", "flan-t5"] as const

/** Reads fixtures/<name>-reference.json. */
export const readReferenceFixture = <Case extends ReferenceCase>(name: (typeof fixtureNames)[number]): ReferenceFixture<Case> =>
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", `${name}-reference.json`), "utf8")) as ReferenceFixture<Case>

/** The cases as it.each rows, each named by its text with escapes visible. */
export const byText = <Case extends ReferenceCase>(cases: ReadonlyArray<Case>): ReadonlyArray<readonly [string, Case]> =>
  cases.map((c) => [JSON.stringify(c.text), c] as const)

/**
 * describe()s `title` with `model` loaded from PEFTLAB_MODELS (body reads it through `tokenizer()`)
 * and first checks that the fixture was made by `script` over the same dozen-plus texts as every
 * other reference fixture (clinical_texts.py), so a fixture left stale by a text change fails here.
 */
export const describeReference = <Case extends ReferenceCase>(
  title: string,
  { model, fixture, script }: { readonly model: string; readonly fixture: ReferenceFixture<Case>; readonly script: string },
  body: (tokenizer: () => Tokenizer) => void,
): void => {
  const models = process.env.PEFTLAB_MODELS
  if (!models) console.warn(`skipping "${title}": PEFTLAB_MODELS unset`)
  describe.skipIf(!models)(title, () => {
    let tokenizer: Tokenizer
    beforeAll(async () => {
      tokenizer = await Effect.runPromise(loadTokenizer(join(models ?? "", model)))
    })

    it(`the fixture was made by ${script} over the clinical texts every reference fixture shares`, () => {
      expect(fixture.command).toContain(script)
      const texts = fixture.cases.map((c) => c.text)
      expect(texts.length).toBeGreaterThanOrEqual(12)
      for (const name of fixtureNames) expect(readReferenceFixture(name).cases.map((c) => c.text), name).toEqual(texts)
    })

    body(() => tokenizer)
  })
}
