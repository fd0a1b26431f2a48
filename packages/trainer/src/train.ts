// The training loop: epochs of shuffled mini-batches, one AdamW step per batch on the
// adapter's variables only, validation after each epoch, and the best epoch's adapter kept.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { takeSnapshot, restoreSnapshot, disposeSnapshot, type Snapshot } from "@peftlab/adapters-base"
import { emit, type Events, type Rng } from "@peftlab/core"
import { adamW } from "./adamw.ts"

export interface Validation {
  readonly metric: string
  readonly value: number
  readonly higherIsBetter: boolean
}

export interface TrainingTask<Example> {
  readonly examples: ReadonlyArray<Example>
  /** Mean loss over a batch, built from the trainable variables (called under tf.variableGrads). */
  readonly loss: (batch: ReadonlyArray<Example>) => tf.Scalar
  /** Tokens a batch feeds the model, for throughput. */
  readonly tokens: (batch: ReadonlyArray<Example>) => number
  readonly validate: (epoch: number) => Effect.Effect<Validation>
}

export interface TrainConfig {
  readonly arm: string
  readonly epochs: number
  readonly batchSize: number
  readonly lr: number
  readonly weightDecay: number
  readonly rng: Rng
}

export interface StepRecord {
  readonly epoch: number
  readonly step: number
  readonly loss: number
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
}

const isBetter = (candidate: Validation, best: Validation | undefined): boolean =>
  best === undefined || (candidate.higherIsBetter ? candidate.value > best.value : candidate.value < best.value)

const gradientOf = (grads: tf.NamedTensorMap, variable: tf.Variable): tf.Tensor => {
  const grad = grads[variable.name]
  if (!grad) throw new Error(`no gradient reached trainable variable ${variable.name}: the loss does not depend on it`)
  return grad
}

/** Splits shuffled examples into batches of `size` (the last one may be smaller). */
export const batchesOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

// Lets the terminal UI and signal handlers run between steps: tfjs work is synchronous.
const yieldToEventLoop = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

export const train = <Example>(
  variables: ReadonlyArray<tf.Variable>,
  task: TrainingTask<Example>,
  config: TrainConfig,
): Effect.Effect<TrainSummary, never, Events> =>
  Effect.gen(function* () {
    const optimizer = adamW(variables, { lr: config.lr, weightDecay: config.weightDecay })
    const stepsPerEpoch = Math.ceil(task.examples.length / config.batchSize)
    const totalSteps = stepsPerEpoch * config.epochs
    const steps: Array<StepRecord> = []
    const epochs: Array<EpochRecord> = []
    let best: { validation: Validation; epoch: number; snapshot: Snapshot } | undefined
    const started = performance.now()
    let tokensSeen = 0

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const batches = batchesOf(config.rng.shuffle(task.examples), config.batchSize)
      let lossSum = 0
      for (const batch of batches) {
        const stepStart = performance.now()
        const { value, grads } = tf.variableGrads(() => task.loss(batch), variables as Array<tf.Variable>)
        optimizer.step(new Map(variables.map((v) => [v, gradientOf(grads, v)])))
        const loss = (yield* Effect.promise(() => value.data()))[0] as number
        tf.dispose([value, ...Object.values(grads)])
        const tokens = task.tokens(batch)
        tokensSeen += tokens
        lossSum += loss
        const record = { epoch, step: steps.length + 1, loss, tokens, ms: performance.now() - stepStart }
        steps.push(record)
        const elapsedMs = performance.now() - started
        yield* emit({
          type: "train-step",
          arm: config.arm,
          epoch,
          epochs: config.epochs,
          step: record.step,
          totalSteps,
          loss,
          tokensPerSecond: (tokensSeen / elapsedMs) * 1000,
          elapsedMs,
        })
        yield* yieldToEventLoop
      }
      const validation = yield* task.validate(epoch)
      const improved = isBetter(validation, best?.validation)
      if (improved) {
        if (best) disposeSnapshot(best.snapshot)
        best = { validation, epoch, snapshot: takeSnapshot(variables) }
      }
      const trainLoss = lossSum / batches.length
      epochs.push({ epoch, trainLoss, validation, best: improved })
      yield* emit({ type: "epoch-end", arm: config.arm, epoch, trainLoss, validation, best: improved })
    }

    if (best) {
      restoreSnapshot(variables, best.snapshot)
      disposeSnapshot(best.snapshot)
    }
    optimizer.dispose()
    return { steps, epochs, bestEpoch: best?.epoch ?? 0, trainMs: performance.now() - started }
  })
