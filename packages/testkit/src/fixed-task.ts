// The check every adapter method must pass on every kind of model: trained on a tiny fixed
// task, its loss falls, no tensor leaks, and not one byte of the frozen base changes. Language
// models learn answer token 13 after two stories-style prompts; an encoder learns to tell the
// two rows apart through a fixed random readout of its first position.
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { encoderOutputs, type Adapter } from "@peftlab/adapters-base"
import { Events, Rng } from "@peftlab/core"
import { continuationNll } from "@peftlab/evaluators"
import { parameterValues, type BaseModel, type EncoderModel } from "@peftlab/models"
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

/** The rows' ids folded into the model's vocabulary (tiny test models have small ones). */
const idsFor = (model: BaseModel): number[][] => rows.map((row) => row.map((id) => id % model.dims.vocab_size))

/** Cross-entropy of row i's class i through a fixed random readout [hidden, rows] of the first position. */
const encoderLoss = (model: EncoderModel, adapter: Adapter, readout: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => {
    const ids = tf.tensor2d(idsFor(model), undefined, "int32")
    const { hidden } = encoderOutputs(model, adapter, { ids, attentionMask: tf.onesLike(ids) as tf.Tensor2D })
    const first = hidden.slice([0, 0, 0], [rows.length, 1, -1]).reshape([rows.length, -1]) as tf.Tensor2D
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, rows.length, 1, "int32"), rows.length), first.matMul(readout)) as tf.Scalar
  })

// Host reads are asynchronous throughout, so the check runs on every backend (webgpu included).
const fingerprint = async (model: BaseModel): Promise<Map<string, string>> =>
  new Map(
    await Promise.all(
      [...model.parameters].map(async ([name, t]) => [name, Buffer.from((await parameterValues(t)).buffer).toString("base64")] as const),
    ),
  )

export const trainOnFixedTask = async (
  model: BaseModel,
  adapter: Adapter,
  options: { readonly lr: number; readonly seed: number; readonly epochs?: number },
): Promise<FixedTaskRun> => {
  const before = await fingerprint(model)
  const readoutRng = Rng.seeded(options.seed)
  const hidden = model.dims.hidden_size
  const readout = tf.tensor2d(Float32Array.from({ length: hidden * rows.length }, () => readoutRng.normal()), [hidden, rows.length])
  const answers = idsFor(model).map((row) => ({ prompt: row.slice(0, -1), continuation: row.slice(-1) }))
  const lossOf = (): tf.Scalar =>
    model.kind === "encoder" ? encoderLoss(model, adapter, readout) : continuationNll(model, adapter, answers, 0)
  // Measured without dropout; trained with it, as PEFT's eval()/train() modes do.
  const lossValue = async () => {
    adapter.setTraining?.(false)
    const loss = lossOf()
    adapter.setTraining?.(true)
    const value = (await loss.data())[0]!
    loss.dispose()
    return value
  }
  const startLoss = await lossValue()
  const tensorsBefore = tf.memory().numTensors
  await Effect.runPromise(
    train(
      adapter.trainable,
      {
        examples: [0],
        loss: lossOf,
        tokens: () => rows.flat().length,
        validate: () => Effect.promise(async () => ({ metric: "loss", value: await lossValue(), higherIsBetter: false })),
      },
      { arm: "fixed-task", epochs: options.epochs ?? 30, batchSize: 1, lr: options.lr, weightDecay: 0, rng: Rng.seeded(options.seed) },
    ).pipe(Effect.provide(Layer.succeed(Events, { emit: () => Effect.void }))),
  )
  const leakedTensors = tf.memory().numTensors - tensorsBefore
  const endLoss = await lossValue()
  adapter.setTraining?.(false)
  readout.dispose()
  const after = await fingerprint(model)
  return { startLoss, endLoss, leakedTensors, changedBaseParameters: [...before.keys()].filter((name) => after.get(name) !== before.get(name)) }
}
