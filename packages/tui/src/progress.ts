// Where an arm's training stands, from one train-step event. Both renderers show the same ETA.
// As the trainer emits them, `step` and `totalSteps` count over all epochs and `elapsedMs` is
// wall time since the arm's training began.
import type { RunEvent } from "@peftlab/core"

export type TrainStep = Extract<RunEvent, { type: "train-step" }>

export interface TrainingProgress {
  /** Share of the whole training done, in [0, 1]. */
  readonly fraction: number
  /** Time left at the observed steps/sec; undefined before any time has passed. */
  readonly etaMs: number | undefined
  /** Steps done in the current epoch, from 1, of `stepsPerEpoch`. */
  readonly stepInEpoch: number
  readonly stepsPerEpoch: number
  readonly lastOfEpoch: boolean
}

export const trainingProgress = (event: TrainStep): TrainingProgress => {
  const stepsPerMs = event.elapsedMs > 0 ? event.step / event.elapsedMs : 0
  // Epochs have equal step counts: totalSteps / epochs each.
  const stepsPerEpoch = event.totalSteps / event.epochs
  const stepInEpoch = event.step - (event.epoch - 1) * stepsPerEpoch
  return {
    fraction: event.totalSteps > 0 ? event.step / event.totalSteps : 0,
    etaMs: stepsPerMs > 0 ? (event.totalSteps - event.step) / stepsPerMs : undefined,
    stepInEpoch,
    stepsPerEpoch,
    lastOfEpoch: stepInEpoch === stepsPerEpoch,
  }
}
