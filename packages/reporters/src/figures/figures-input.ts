// What the figures are drawn from: plain data that a finished results folder holds, so that
// `peftlab report` can redraw every figure without the model. A runner FinishedArm fits FigureArm.
import type { PredictionRow } from "../predictions.ts"
import type { ArmResult } from "../results.ts"

export interface FigureEpoch {
  readonly epoch: number
  readonly trainLoss: number
  readonly validation: { readonly metric: string; readonly value: number; readonly loss?: number }
}

/** What the training-curve and latency figures read of an arm, whatever its task. */
export type TrainedFigureArm = Pick<FigureArm, "result" | "training">

export interface FigureArm {
  readonly result: ArmResult
  /** Test predictions; the 95% CIs of accuracy and macro-F1 are bootstrapped from them. */
  readonly predictions: ReadonlyArray<PredictionRow>
  /** Rows gold, columns predicted, in `labels` order. */
  readonly confusion: ReadonlyArray<ReadonlyArray<number>>
  /** Absent for arms that were not trained (a zero-shot baseline): no curve, training time 0. */
  readonly training?: { readonly trainMs: number; readonly epochs: ReadonlyArray<FigureEpoch> }
}

export interface GenerationArm {
  readonly arm: string
  /** Per-example scores by metric name (e.g. `{ "ROUGE-L": [...] }`); bars show their mean. */
  readonly scores: Readonly<Record<string, ReadonlyArray<number>>>
  /** Length of each generated answer, in the study's `lengthUnit`. */
  readonly lengths: ReadonlyArray<number>
}

export interface GenerationFigures {
  readonly arms: ReadonlyArray<GenerationArm>
  /** Axis title unit of `lengths`; default "tokens". */
  readonly lengthUnit?: string
}

export interface ExtractionArm extends TrainedFigureArm {
  /** Per test sentence: [correct, predicted, gold] span counts (strict match). */
  readonly counts: ReadonlyArray<readonly [number, number, number]>
}

/** Number of resamples and seed of the percentile bootstrap behind every CI. */
export interface BootstrapOptions {
  readonly B: number
  readonly seed: number
}

export interface FiguresInput {
  readonly labels: ReadonlyArray<string>
  /** Classification arms, in the order the figures list them; none for a generation-only study. */
  readonly arms: ReadonlyArray<FigureArm>
  readonly generation?: GenerationFigures
  /** Span-extraction arms, in the order the figures list them. */
  readonly extraction?: ReadonlyArray<ExtractionArm>
  /** Default `{ B: 1000, seed: 0 }`; pass the run's stats.bootstrap to resample as stats.md did. */
  readonly bootstrap?: BootstrapOptions
}
