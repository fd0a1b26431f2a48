// A small study for the figure tests: three arms on the same 60 test examples, with
// predictions from which every confusion matrix and metric below is derived.
import { classificationMetrics, confusionMatrix } from "@peftlab/evaluators"
import type { FigureArm, FigureEpoch, FiguresInput, PredictionRow } from "../src/index.ts"

export const labels = ["yes", "no", "maybe"]

/** Arm `arm` gets example i right unless (i · step) mod 10 < errors; a wrong answer is the next label, or no label at all. */
const predictions = (errors: number, step: number, unlabelledEvery = 0): PredictionRow[] =>
  Array.from({ length: 60 }, (_, i) => {
    const gold = labels[i % 3]!
    const wrong = (i * step) % 10 < errors
    const pred = !wrong ? gold : unlabelledEvery > 0 && i % unlabelledEvery === 0 ? "unsure" : labels[(i + 1) % 3]!
    return { id: `q${i}`, gold, pred, score: wrong ? 0.4 : 0.9 }
  })

const epochs = (losses: number[], metric: number[]): FigureEpoch[] =>
  losses.map((trainLoss, i) => ({ epoch: i + 1, trainLoss, validation: { metric: "macro_f1", value: metric[i]!, loss: trainLoss + 0.1 } }))

const arm = (name: string, kind: string, rows: PredictionRow[], trainableParams: number, latency: [number, number], training?: FigureArm["training"]): FigureArm => {
  const gold = rows.map((r) => r.gold)
  const pred = rows.map((r) => r.pred)
  const m = classificationMetrics(gold, pred, labels, { unknownPredictions: "wrong" })
  return {
    result: {
      arm: name, kind, n: rows.length, accuracy: m.accuracy, macroF1: m.macroF1,
      perClassF1: Object.fromEntries(labels.map((l) => [l, m.perClass[l]!.f1])),
      latencyMeanMs: latency[0], latencyP95Ms: latency[1], trainableParams,
    },
    predictions: rows,
    confusion: confusionMatrix(gold, pred, labels, { unknownPredictions: "wrong" }),
    ...(training ? { training } : {}),
  }
}

export const study: FiguresInput = {
  labels,
  arms: [
    arm("zero-shot", "baseline", predictions(6, 7, 4), 0, [11.5, 19.25]),
    arm("prompt", "prompt-tuning", predictions(4, 3), 8192, [12.25, 20.5], { trainMs: 42_000, epochs: epochs([1.2, 0.9, 0.8], [0.41, 0.52, 0.55]) }),
    arm("lora", "lora", predictions(2, 9), 294_912, [13, 22.75], { trainMs: 95_500, epochs: epochs([1.1, 0.7, 0.5, 0.45], [0.45, 0.6, 0.71, 0.7]) }),
  ],
  generation: {
    arms: [
      { arm: "prompt", scores: { "ROUGE-L": Array.from({ length: 40 }, (_, i) => (i % 5) / 5), BLEU: Array.from({ length: 40 }, (_, i) => 10 + (i % 7) * 3) }, lengths: Array.from({ length: 40 }, (_, i) => 5 + (i % 9)) },
      { arm: "lora", scores: { "ROUGE-L": Array.from({ length: 40 }, (_, i) => (i % 4) / 4), BLEU: Array.from({ length: 40 }, (_, i) => 15 + (i % 5) * 4) }, lengths: Array.from({ length: 40 }, (_, i) => 8 + (i % 13)) },
    ],
  },
  bootstrap: { B: 400, seed: 7 },
}
