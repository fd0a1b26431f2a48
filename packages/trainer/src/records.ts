// What training reports: per optimizer step, per epoch, and the validation that picks epochs.

export interface Validation {
  readonly metric: string
  readonly value: number
  readonly higherIsBetter: boolean
  /** The validation loss, when the task computes one beside its metric. */
  readonly loss?: number
}

export interface StepRecord {
  readonly epoch: number
  /** Optimizer step, from 1. */
  readonly step: number
  readonly loss: number
  readonly lr: number
  /** Global gradient norm before clipping. */
  readonly gradNorm: number
  readonly tokens: number
  readonly ms: number
}

export interface EpochRecord {
  readonly epoch: number
  readonly trainLoss: number
  readonly validation: Validation
  readonly best: boolean
}

export interface TrainSummary {
  readonly steps: ReadonlyArray<StepRecord>
  readonly epochs: ReadonlyArray<EpochRecord>
  readonly bestEpoch: number
  readonly trainMs: number
  /** True when early stopping ended training before the last epoch. */
  readonly stoppedEarly: boolean
}

export const isBetter = (candidate: Validation, best: Validation | undefined): boolean =>
  best === undefined || (candidate.higherIsBetter ? candidate.value > best.value : candidate.value < best.value)
