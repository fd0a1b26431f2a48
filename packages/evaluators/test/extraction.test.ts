import { describe, expect, it } from "vitest"
import { extractionMetrics, MetricInputError, type TypedSpan } from "../src/index.ts"

const span = (type: string, start: number, end: number): TypedSpan => ({ type, start, end })

describe("extractionMetrics", () => {
  it("matches seqeval's README example (conlleval-compatible default mode)", () => {
    // github.com/chakki-works/seqeval README, "Usage": y_true = [[O, O, O, B-MISC, I-MISC, I-MISC, O],
    // [B-PER, I-PER, O]], y_pred = [[O, O, B-MISC, I-MISC, I-MISC, I-MISC, O], [B-PER, I-PER, O]]:
    // f1_score 0.50; classification_report MISC 0.00/0.00/0.00 support 1, PER 1.00/1.00/1.00
    // support 1, micro avg 0.50/0.50/0.50 support 2. Chunks as half-open token ranges:
    const gold = [[span("MISC", 3, 6)], [span("PER", 0, 2)]]
    const predicted = [[span("MISC", 2, 6)], [span("PER", 0, 2)]]
    const m = extractionMetrics(gold, predicted)
    expect([m.precision, m.recall, m.f1]).toEqual([0.5, 0.5, 0.5])
    expect(m.perType).toEqual({
      MISC: { precision: 0, recall: 0, f1: 0, correct: 0, predicted: 1, gold: 1 },
      PER: { precision: 1, recall: 1, f1: 1, correct: 1, predicted: 1, gold: 1 },
    })
    expect(m.gold).toBe(2)
  })

  it("counts only exact (type, start, end) matches, each span once, per sentence", () => {
    // CoNLL-2000 (Tjong Kim Sang & Buchholz 2000, "Introduction to the CoNLL-2000 Shared Task:
    // Chunking", evaluation): a chunk is correct only if its type and both boundaries match;
    // precision = correct / predicted, recall = correct / gold, F = 2PR / (P + R).
    const gold = [
      [span("drug", 0, 7), span("drug", 12, 19), span("dose", 20, 25)],
      [span("problem", 0, 4)],
      [],
    ]
    const predicted = [
      // exact; one boundary off; right boundaries but wrong type; the exact one repeated.
      [span("drug", 0, 7), span("drug", 12, 18), span("problem", 20, 25), span("drug", 0, 7)],
      [],
      // the same offsets as a drug of sentence 1 do not match across sentences.
      [span("drug", 0, 7)],
    ]
    // drug: correct 1 of predicted {0-7, 12-18, s3 0-7} = 3, gold 2 → P 1/3, R 1/2, F 2·1/(3+2) = 2/5.
    // dose: predicted 0, gold 1 → P 0 (0/0 counts as 0), R 0, F 0. problem: predicted 1, gold 1, correct 0.
    // micro: correct 1, predicted 4, gold 4 → P = R = F = 1/4.
    const m = extractionMetrics(gold, predicted)
    expect(Object.keys(m.perType)).toEqual(["dose", "drug", "problem"])
    expect(m.perType.drug).toEqual({ precision: 1 / 3, recall: 1 / 2, f1: 2 / 5, correct: 1, predicted: 3, gold: 2 })
    expect(m.perType.dose).toEqual({ precision: 0, recall: 0, f1: 0, correct: 0, predicted: 0, gold: 1 })
    expect(m.perType.problem).toEqual({ precision: 0, recall: 0, f1: 0, correct: 0, predicted: 1, gold: 1 })
    expect(m).toMatchObject({ precision: 0.25, recall: 0.25, f1: 0.25, correct: 1, predicted: 4, gold: 4 })
  })

  it("gives F1 as the harmonic mean when precision and recall differ", () => {
    // 2 gold, 1 predicted and correct: P 1, R 1/2, F 2·1·0.5/1.5 = 2/3.
    const m = extractionMetrics([[span("x", 0, 1), span("x", 2, 3)]], [[span("x", 2, 3)]])
    expect([m.precision, m.recall]).toEqual([1, 0.5])
    expect(m.f1).toBeCloseTo(2 / 3, 15)
  })

  it("scores 0 with no spans at all, like seqeval's zero_division default", () => {
    expect(extractionMetrics([[], []], [[], []])).toEqual({ precision: 0, recall: 0, f1: 0, correct: 0, predicted: 0, gold: 0, perType: {} })
  })

  it("rejects unequal lengths, no sentences and malformed spans", () => {
    const fails = (f: () => unknown, source: string, detail: RegExp) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(MetricInputError)
        expect((e as MetricInputError).source).toBe(source)
        expect((e as MetricInputError).detail).toMatch(detail)
        return
      }
      throw new Error("expected a MetricInputError")
    }
    fails(() => extractionMetrics([[], []], [[]]), "predictions", /one span list per gold sentence \(2\), got 1/)
    fails(() => extractionMetrics([], []), "gold spans", /no sentences/)
    fails(() => extractionMetrics([[span("x", 3, 3)]], [[]]), "gold spans", /^sentence 0, span 0: expected integers 0 <= start < end, got start 3, end 3$/)
    fails(() => extractionMetrics([[]], [[span("x", 0, 1), span("x", -1, 2)]]), "predictions", /sentence 0, span 1/)
    fails(() => extractionMetrics([[]], [[span("x", 0.5, 2)]]), "predictions", /got start 0.5/)
  })
})
