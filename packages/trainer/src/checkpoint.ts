// A training run's full state between two optimizer steps: with it, training continues and
// ends exactly as if it had never stopped (bit-identical on the same backend).
import * as tf from "@tensorflow/tfjs"
import type { Effect } from "effect"
import type { RngState } from "@peftlab/core"
import type { AdamWState } from "./adamw.ts"
import type { EpochRecord, StepRecord, Validation } from "./records.ts"

export interface TrainCheckpoint {
  /** The epoch to continue (from 1). */
  readonly epoch: number
  /** Optimizer steps already done in that epoch. */
  readonly stepsDoneInEpoch: number
  /** The generator as it was when that epoch began, to redraw the same order... */
  readonly epochRng: RngState
  /** ...and as it was at the checkpoint, for whatever else draws from it (dropout). */
  readonly rng: RngState
  readonly lossSumInEpoch: number
  readonly sinceBest: number
  readonly steps: ReadonlyArray<StepRecord>
  readonly epochs: ReadonlyArray<EpochRecord>
  readonly best?: { readonly epoch: number; readonly validation: Validation; readonly values: ReadonlyArray<Float32Array> }
  readonly variables: ReadonlyArray<Float32Array>
  readonly optimizer: AdamWState
}

/** `E`: how saving can fail (a full disk), which training then fails with. */
export interface CheckpointOptions<E = never> {
  /** Also checkpoint every this many optimizer steps (an epoch's end always checkpoints). */
  readonly everySteps?: number
  readonly save: (checkpoint: TrainCheckpoint) => Effect.Effect<void, E>
  readonly resumeFrom?: TrainCheckpoint
}

export const assignValues = (variables: ReadonlyArray<tf.Variable>, values: ReadonlyArray<Float32Array>): void =>
  variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i] as Float32Array, v.shape))))
