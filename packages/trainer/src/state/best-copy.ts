// The best epoch's trainable values, kept to be put back when training ends: a copy on the
// backend (adapters-base's snapshot), or host arrays where placement.ts keeps training's copies
// on the host.
import * as tf from "@tensorflow/tfjs"
import { disposeSnapshot, restoreSnapshot, takeSnapshot, type Snapshot } from "@peftlab/adapters-base"
import { assignValues } from "../checkpoint.ts"
import { valuesOf } from "../host-reads.ts"
import type { StatePlacement } from "./placement.ts"

export interface BestCopy {
  values(): Promise<ReadonlyArray<Float32Array>>
  /** Assigns the kept values back to `variables`. */
  restore(variables: ReadonlyArray<tf.Variable>): void
  dispose(): void
}

const onHost = (values: ReadonlyArray<Float32Array>): BestCopy => ({
  values: async () => values,
  restore: (variables) => assignValues(variables, values),
  dispose: () => {},
})

const onBackend = (snapshot: Snapshot): BestCopy => ({
  values: () => valuesOf(snapshot.values),
  restore: (variables) => restoreSnapshot(variables, snapshot),
  dispose: () => disposeSnapshot(snapshot),
})

/** A copy of the variables' values as they are now. */
export const takeBestCopy = async (placement: StatePlacement, variables: ReadonlyArray<tf.Variable>): Promise<BestCopy> =>
  placement === "host" ? onHost((await valuesOf(variables)).map((v) => v.slice())) : onBackend(takeSnapshot(variables))

/** A copy of values a checkpoint saved, for `variables` (in order). */
export const bestCopyOf = (placement: StatePlacement, variables: ReadonlyArray<tf.Variable>, values: ReadonlyArray<Float32Array>): BestCopy =>
  placement === "host" ? onHost(values) : onBackend({ values: values.map((v, i) => tf.tensor(v, (variables[i] as tf.Variable).shape)) })
