// The check every adapter method must pass: trained on a tiny fixed task (answer token 13
// after two stories-style prefixes), its answer loss falls, no tensor leaks, and not one byte
// of the frozen base changes.
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import type { Adapter } from "@peftlab/adapters-base"
import { Events, Rng } from "@peftlab/core"
import { maskedNll, type CausalLM } from "@peftlab/models"
import { train } from "@peftlab/trainer"

export interface FixedTaskRun {
  readonly startLoss: number
  readonly endLoss: number
  /** Tensors alive after training that were not before it. */
  readonly leakedTensors: number
  /** Base parameters whose bytes changed (must be none). */
  readonly changedBaseParameters: ReadonlyArray<string>
}

const rows = [
  [1, 403, 407, 261, 13],
  [1, 378, 432, 383, 13],
]
const answerMask = rows.map((r) => r.map((_, i) => (i === r.length - 1 ? 1 : 0)))

const fingerprint = (model: CausalLM) =>
  new Map([...model.parameters].map(([name, t]) => [name, Buffer.from(t.dataSync().buffer).toString("base64")]))

export const trainOnFixedTask = async (
  model: CausalLM,
  adapter: Adapter,
  options: { readonly lr: number; readonly seed: number; readonly epochs?: number },
): Promise<FixedTaskRun> => {
  const before = fingerprint(model)
  const lossOf = () =>
    tf.tidy(() => {
      const ids = tf.tensor2d(rows, undefined, "int32")
      const logits = adapter.logits(model, ids, tf.onesLike(ids) as tf.Tensor2D)
      return maskedNll(logits, ids, tf.tensor2d(answerMask, undefined, "int32"))
    })
  // Measured without dropout; trained with it, as PEFT's eval()/train() modes do.
  const lossValue = () => {
    adapter.setTraining?.(false)
    const loss = lossOf()
    const value = loss.dataSync()[0]!
    loss.dispose()
    adapter.setTraining?.(true)
    return value
  }
  const startLoss = lossValue()
  const tensorsBefore = tf.memory().numTensors
  await Effect.runPromise(
    train(
      adapter.trainable,
      {
        examples: [0],
        loss: lossOf,
        tokens: () => rows.flat().length,
        validate: () => Effect.sync(() => ({ metric: "loss", value: lossValue(), higherIsBetter: false })),
      },
      { arm: "fixed-task", epochs: options.epochs ?? 30, batchSize: 1, lr: options.lr, weightDecay: 0, rng: Rng.seeded(options.seed) },
    ).pipe(Effect.provide(Layer.succeed(Events, { emit: () => Effect.void }))),
  )
  const leakedTensors = tf.memory().numTensors - tensorsBefore
  const endLoss = lossValue()
  adapter.setTraining?.(false)
  const after = fingerprint(model)
  return { startLoss, endLoss, leakedTensors, changedBaseParameters: [...before.keys()].filter((name) => after.get(name) !== before.get(name)) }
}
