import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { Events, Rng } from "@peftlab/core"
import { train, type TrainingTask } from "@peftlab/trainer"

// Fit y = 3x - 1: the two variables stand in for an adapter's `trainable`.
const w = tf.variable(tf.scalar(0))
const b = tf.variable(tf.scalar(0))
const lossOf = (batch: ReadonlyArray<number>) =>
  tf.tidy(() => {
    const x = tf.tensor1d(batch)
    return x.mul(w).add(b).sub(x.mul(3).sub(1)).square().mean() as tf.Scalar
  })
const xs = Array.from({ length: 32 }, (_, i) => i / 16 - 1)
const task: TrainingTask<number> = {
  examples: xs,
  loss: lossOf,
  tokens: (batch) => batch.length,
  validate: () => Effect.sync(() => ({ metric: "loss", value: tf.tidy(() => lossOf(xs).dataSync()[0]!), higherIsBetter: false })),
}
const quiet = Layer.succeed(Events, { emit: () => Effect.void }) // or the tui's layers
const summary = await Effect.runPromise(
  train([w, b], task, { arm: "toy", epochs: 20, batchSize: 8, lr: 0.1, weightDecay: 0, rng: Rng.seeded(1) }).pipe(Effect.provide(quiet)),
)
console.log(summary.steps.length, summary.bestEpoch, w.dataSync()[0]!.toFixed(2), b.dataSync()[0]!.toFixed(2))
tf.dispose([w, b])
