// peftlab's ROUGE against Google's rouge-score itself: fixtures/rouge-score.json holds
// RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False and True).score(reference, generated)
// on medical answer pairs (written by tools/references/rouge/rouge_score_fixture.py, rouge-score
// 0.1.2). Both settings agree to 1e-12: the same counts divided the same way.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { corpusRouge, rouge, type RougeScores } from "../src/index.ts"

type Triple = [number, number, number]
interface Fixture {
  readonly versions: Readonly<Record<string, string>>
  readonly pairs: ReadonlyArray<{ readonly reference: string; readonly generated: string }>
  readonly stemmer_off: ReadonlyArray<Record<keyof RougeScores, Triple>>
  readonly stemmer_on: ReadonlyArray<Record<keyof RougeScores, Triple>>
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "rouge-score.json"), "utf8")) as Fixture
const tolerance = 1e-12
const types = ["rouge1", "rouge2", "rougeL"] as const

const expectScores = (ours: RougeScores, theirs: Record<keyof RougeScores, Triple>) => {
  for (const type of types) {
    const { precision, recall, fmeasure } = ours[type]
    ;[precision, recall, fmeasure].forEach((value, k) => expect(Math.abs(value - theirs[type][k]!), `${type}[${k}]`).toBeLessThan(tolerance))
  }
}

describe(`rouge against rouge-score ${fixture.versions["rouge-score"]} (fixtures/rouge-score.json)`, () => {
  const settings = [
    ["off", false, fixture.stemmer_off],
    ["on", true, fixture.stemmer_on],
  ] as const

  it.each(settings)(`Porter stemmer %s: every pair's precision, recall and F within ${tolerance}`, (_, useStemmer, expected) => {
    expect(expected).toHaveLength(fixture.pairs.length)
    fixture.pairs.forEach(({ reference, generated }, i) => expectScores(rouge(reference, generated, { useStemmer }), expected[i]!))
  })

  it("the stemmer matters on these pairs: it raises ROUGE-1 on most, and corpusRouge passes it on", () => {
    const raised = fixture.stemmer_on.filter((on, i) => on.rouge1[2] > fixture.stemmer_off[i]!.rouge1[2] + 0.05)
    expect(raised.length).toBeGreaterThanOrEqual(5)
    const references = fixture.pairs.map((p) => p.reference)
    const generated = fixture.pairs.map((p) => p.generated)
    const mean = (rows: ReadonlyArray<Record<keyof RougeScores, Triple>>) => rows.reduce((sum, row) => sum + row.rougeL[2], 0) / rows.length
    expect(Math.abs(corpusRouge(references, generated, { useStemmer: true }).rougeL - mean(fixture.stemmer_on))).toBeLessThan(tolerance)
    expect(Math.abs(corpusRouge(references, generated, { useStemmer: false }).rougeL - mean(fixture.stemmer_off))).toBeLessThan(tolerance)
  })
})
