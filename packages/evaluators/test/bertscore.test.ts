// peftlab's BERTScore against bert-score 0.3.13 itself: fixtures/bertscore.json holds
// bert_score.score's P, R and F1 on clinical pairs with the real all-MiniLM-L6-v2 (written by
// tools/references/bertscore/bertscore_fixture.py): layer 6 with idf off and on on every pair, and
// on candidates with several references each idf on, layer 3, and rescaling with a baseline file;
// peftlab's must agree within 1e-4 (float32 states, summed in another order). The arithmetic after the encoder (idf, weights, empty
// sentences, best of references, rescaling) is checked first on hand-computed numbers, with no
// model. The model is found as the MiniLM test finds it (@peftlab/testkit/pretrained), and where
// .venv-goldens exists the fixture script also runs live on the same folder.
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { loadEncoder, type EncoderModel } from "@peftlab/models"
import { allMiniLmL6V2 } from "@peftlab/testkit/pretrained"
import { loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bertScoreIdf, bestOf, pairScores, rescaleWithBaseline, uniformWeights } from "../src/generation/bertscore-weights.ts"
import { bertScore, bertScoreDefaultLayer, MetricInputError, parseBertScoreBaseline, type BertScoreOptions, type BertScoreResult } from "../src/index.ts"

interface Triples {
  readonly P: ReadonlyArray<number>
  readonly R: ReadonlyArray<number>
  readonly F: ReadonlyArray<number>
}
interface Fixture {
  readonly versions: Readonly<Record<string, string>>
  readonly pairs: ReadonlyArray<{ readonly candidate: string; readonly reference: string }>
  readonly layer6_idf_off: Triples
  readonly layer6_idf_on: Triples
  readonly multi_reference: {
    readonly candidates: ReadonlyArray<string>
    readonly references: ReadonlyArray<ReadonlyArray<string>>
    readonly layer6_idf_on: Triples
    readonly layer3_idf_off: Triples
    readonly baseline_file: string
    readonly layer6_idf_off_rescaled: Triples
  }
  readonly model2layers: Readonly<Record<string, number>>
}

const root = join(import.meta.dirname, "..", "..", "..")
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "bertscore.json"), "utf8")) as Fixture
const tolerance = 1e-4
const found = allMiniLmL6V2()
if (found.dir === undefined) console.warn(`skipping the BERTScore checks on all-MiniLM-L6-v2: ${found.reason}`)
const python = process.env["PEFTLAB_GOLDENS_PYTHON"] ?? join(root, ".venv-goldens", "bin", "python")
const live = existsSync(python)
if (found.dir && !live) console.warn(`skipping the live BERTScore check against bert-score: no ${python}`)

/** The largest |ours - theirs| of each column, after checking the lengths agree. */
const maxDiffs = (ours: BertScoreResult | Triples, theirs: Triples) => {
  const diff = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => {
    expect(a).toHaveLength(b.length)
    return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))
  }
  const [P, R, F] = "P" in ours ? [ours.P, ours.R, ours.F] : [ours.precision, ours.recall, ours.f1]
  return { P: diff(P, theirs.P), R: diff(R, theirs.R), F: diff(F, theirs.F) }
}

describe("BERTScore arithmetic on hand-computed numbers (no model)", () => {
  it("idf over the references is log((M+1)/(df+1)); a token in no reference gets log(M+1)", () => {
    const idf = bertScoreIdf([
      [101, 5, 6, 6, 102],
      [101, 5, 7, 102],
    ])
    // M = 2: [CLS], [SEP] and 5 are in both (log(3/3) = 0); 6 in one, counted once (log(3/2)); 9 in none (log 3).
    expect([101, 102, 5, 6, 7, 9].map(idf)).toEqual([0, 0, 0, Math.log(1.5), Math.log(1.5), Math.log(3)])
    expect([101, 5, 102].map(uniformWeights(new Set([101, 102])))).toEqual([0, 1, 0])
  })

  it("P and R weigh each token's best cosine by its share of the weights; F1 is their harmonic mean", () => {
    const [a, b] = [Math.log(1.5), Math.log(3)]
    const scores = pairScores({ bestMatch: [0.3, 0.8, 0.5, 0.2], weights: [0, a, b, 0] }, { bestMatch: [0.1, 0.4, 0.9, 0.2], weights: [0, 0, a, 0] })
    // P = (0.4055 * 0.8 + 1.0986 * 0.5) / (0.4055 + 1.0986), R = 0.9, F1 = 2PR / (P + R)
    expect(scores.precision).toBeCloseTo(0.5808731869072445, 14)
    expect(scores.recall).toBeCloseTo(0.9, 14)
    expect(scores.f1).toBeCloseTo(0.7060508257406447, 14)
  })

  it("an empty side ([CLS] [SEP]) scores 0, 0, 0; a side whose weights are all 0 leaves P or R NaN and F1 0", () => {
    const other = { bestMatch: [0.2, 0.9, 0.2], weights: [0, 1, 0] }
    expect(pairScores({ bestMatch: [0.5, 0.5], weights: [0, 0] }, other)).toEqual({ precision: 0, recall: 0, f1: 0 })
    expect(pairScores(other, { bestMatch: [0.5, 0.5], weights: [0, 0] })).toEqual({ precision: 0, recall: 0, f1: 0 })
    const allZero = pairScores({ bestMatch: [0.2, 0.9, 0.2], weights: [0, 0, 0] }, other)
    expect(allZero.precision).toBeNaN()
    expect(allZero).toMatchObject({ recall: 0.9, f1: 0 })
  })

  it("several references keep each column's best apart; rescaling is (s - b) / (1 - b) with the row at position numLayers", () => {
    expect(
      bestOf([
        { precision: 0.9, recall: 0.1, f1: 0.3 },
        { precision: 0.2, recall: 0.7, f1: 0.5 },
      ]),
    ).toEqual({ precision: 0.9, recall: 0.7, f1: 0.5 })
    const baseline = parseBertScoreBaseline("LAYER,P,R,F\n0,0.1,0.2,0.3\n1,0.5,0.6,0.75\n", 1)
    expect(baseline).toEqual({ precision: 0.5, recall: 0.6, f1: 0.75 })
    const rescaled = rescaleWithBaseline({ precision: 0.8, recall: 0.6, f1: 0.5 }, baseline)
    expect(rescaled.precision).toBeCloseTo(0.6, 14) // (0.8 - 0.5) / 0.5
    expect(rescaled.recall).toBeCloseTo(0, 14)
    expect(rescaled.f1).toBeCloseTo(-1, 14) // (0.5 - 0.75) / 0.25
    expect(() => parseBertScoreBaseline("LAYER,P,R,F\n0,0.1,0.2,0.3\n", 1)).toThrow(MetricInputError)
  })

  it("a model's default layer is bert-score's model2layers entry (as the fixture recorded it); unknown models have none", () => {
    for (const [model, layer] of Object.entries(fixture.model2layers)) expect(bertScoreDefaultLayer(model), model).toBe(layer)
    expect(bertScoreDefaultLayer("bert-base-uncased")).toBe(9)
    expect(bertScoreDefaultLayer("sentence-transformers/all-MiniLM-L6-v2")).toBeUndefined()
  })
})

describe.skipIf(!found.dir)(`BERTScore against bert-score ${fixture.versions["bert-score"]} on all-MiniLM-L6-v2 (fixtures/bertscore.json, cpu)`, () => {
  let model: EncoderModel
  let tokenizer: Tokenizer
  const candidates = fixture.pairs.map((p) => p.candidate)
  const references = fixture.pairs.map((p) => p.reference)
  beforeAll(async () => {
    await cpu.setup()
    model = await Effect.runPromise(loadEncoder(found.dir!))
    tokenizer = await Effect.runPromise(loadTokenizer(found.dir!))
  })
  afterAll(() => model.dispose())

  // Each setting is scored once, for the fixture and the live check.
  const settings = { layer6_idf_off: { numLayers: 6, idf: false }, layer6_idf_on: { numLayers: 6, idf: true } } as const
  type Setting = keyof typeof settings
  const scored = new Map<Setting, Promise<BertScoreResult>>()
  const ours = (name: Setting) => scored.get(name) ?? scored.set(name, bertScore(model, tokenizer, candidates, references, settings[name])).get(name)!

  it.each(Object.keys(settings) as Setting[])(`%s: every pair's P, R and F1 within ${tolerance}`, async (name) => {
    // One reference is longer than the 512 tokens both sides cut texts to.
    expect(Math.max(...references.map((text) => tokenizer.encode(text).length))).toBeGreaterThan(512)
    const result = await ours(name)
    const diffs = maxDiffs(result, fixture[name])
    console.log(`BERTScore ${name}: max |peftlab - bert-score| P ${diffs.P.toExponential(2)}, R ${diffs.R.toExponential(2)}, F1 ${diffs.F.toExponential(2)}`)
    expect(Math.max(diffs.P, diffs.R, diffs.F)).toBeLessThan(tolerance)
    const mean = (xs: ReadonlyArray<number>) => xs.reduce((s, x) => s + x, 0) / xs.length
    expect(Math.abs(result.corpus.f1 - mean(fixture[name].F))).toBeLessThan(tolerance)
  }, 120_000)

  it(`several references per candidate: idf on, layer 3, and rescaled with a baseline file, within ${tolerance}`, async () => {
    const { candidates: multiCandidates, references: groups } = fixture.multi_reference
    const folder = mkdtempSync(join(tmpdir(), "bertscore-"))
    const baselineFile = join(folder, "baseline.tsv")
    writeFileSync(baselineFile, fixture.multi_reference.baseline_file)
    const cases: ReadonlyArray<readonly [string, BertScoreOptions, Triples]> = [
      ["layer 6, idf on", { numLayers: 6, idf: true }, fixture.multi_reference.layer6_idf_on],
      ["layer 3", { numLayers: 3 }, fixture.multi_reference.layer3_idf_off],
      ["layer 6, rescaled", { numLayers: 6, baselineFile }, fixture.multi_reference.layer6_idf_off_rescaled],
    ]
    try {
      for (const [name, options, theirs] of cases) {
        const diffs = maxDiffs(await bertScore(model, tokenizer, multiCandidates, groups, options), theirs)
        console.log(`BERTScore several references, ${name}: max |peftlab - bert-score| ${Math.max(diffs.P, diffs.R, diffs.F).toExponential(2)}`)
        expect(Math.max(diffs.P, diffs.R, diffs.F), name).toBeLessThan(tolerance)
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  }, 120_000)

  it("an empty candidate or reference scores 0, 0, 0 (bert-score under transformers 4; under 5 it raises), and a layer must be known", async () => {
    const ours = await bertScore(model, tokenizer, ["", "Patient denies chest pain."], ["No known drug allergies.", " \n"], { numLayers: 6 })
    expect([...ours.precision, ...ours.recall, ...ours.f1]).toEqual([0, 0, 0, 0, 0, 0])
    await expect(bertScore(model, tokenizer, ["a"], ["b"])).rejects.toThrow(/numLayers is required/)
    await expect(bertScore(model, tokenizer, ["a"], ["b"], { modelType: "sentence-transformers/all-MiniLM-L6-v2" })).rejects.toThrow(/no default layer/)
    // bert-base-uncased's default, 9, is more layers than MiniLM has: bert-score's assert.
    await expect(bertScore(model, tokenizer, ["a"], ["b"], { modelType: "bert-base-uncased" })).rejects.toThrow(/from 0 to 6, got 9/)
  })

  describe.runIf(live)("live: the fixture script on the same folder (.venv-goldens)", () => {
    it(`bert-score's scores now, within ${tolerance} of peftlab's, and its model2layers as committed`, async () => {
      const script = join(root, "tools", "references", "bertscore", "bertscore_fixture.py")
      const { stdout } = await promisify(execFile)(python, [script, found.dir!, "--stdout"], {
        maxBuffer: 64 << 20,
        env: { ...process.env, HF_HUB_OFFLINE: "1", TOKENIZERS_PARALLELISM: "false" },
      })
      const now = JSON.parse(stdout) as Fixture
      expect(now.pairs).toEqual(fixture.pairs)
      expect(now.model2layers).toEqual(fixture.model2layers)
      // The committed several-reference numbers are bert-score's now (peftlab's were checked against them above).
      const { layer6_idf_on, layer3_idf_off, layer6_idf_off_rescaled } = now.multi_reference
      const committed = fixture.multi_reference
      for (const [theirs, was] of [[layer6_idf_on, committed.layer6_idf_on], [layer3_idf_off, committed.layer3_idf_off], [layer6_idf_off_rescaled, committed.layer6_idf_off_rescaled]] as const) {
        const diffs = maxDiffs(was, theirs)
        expect(Math.max(diffs.P, diffs.R, diffs.F)).toBeLessThan(tolerance)
      }
      for (const name of Object.keys(settings) as Setting[]) {
        const diffs = maxDiffs(await ours(name), now[name])
        expect(Math.max(diffs.P, diffs.R, diffs.F), name).toBeLessThan(tolerance)
      }
    }, 300_000)
  })
})
