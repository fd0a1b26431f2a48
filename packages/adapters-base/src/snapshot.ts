// Copies of the trainable variables' values, to keep the best epoch's adapter and put it back.
import * as tf from "@tensorflow/tfjs"

export interface Snapshot {
  readonly values: ReadonlyArray<tf.Tensor>
}

export const takeSnapshot = (variables: ReadonlyArray<tf.Variable>): Snapshot => ({
  values: variables.map((v) => tf.keep(v.clone())),
})

export const restoreSnapshot = (variables: ReadonlyArray<tf.Variable>, snapshot: Snapshot): void => {
  variables.forEach((v, i) => v.assign(snapshot.values[i] as tf.Tensor))
}

export const disposeSnapshot = (snapshot: Snapshot): void => {
  for (const t of snapshot.values) t.dispose()
}
