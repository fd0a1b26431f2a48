// The training loop: epochs of shuffled mini-batches, one AdamW step per batch on the
// adapter's variables only, validation after each epoch, and the best epoch's adapter kept.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { takeSnapshot, restoreSnapshot, disposeSnapshot, type Snapshot } from "@peftlab/adapters-base"
import { emit, type Events, type Rng } from "@peftlab/core"
import { adamW } from "./adamw.ts"
import { clipByGlobalNorm, globalNorm } from "./clip.ts"
import { shuffled, type Sampler } from "./samplers.ts"
import { learningRate, type ScheduleConfig } from "./schedule.ts"

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

export interface TrainConfig<Example = unknown> {
  readonly arm: string
  readonly epochs: number
  /** Examples per forward/backward pass (a micro-batch when accumulating). */
  readonly batchSize: number
  readonly lr: number
  readonly weightDecay: number
  readonly rng: Rng
  /** Micro-batches whose gradients are averaged into one optimizer step (default 1). */
  readonly gradientAccumulation?: number
  readonly warmupSteps?: number
  readonly decay?: ScheduleConfig["decay"]
  /** Clip gradients to this global norm before each step (default: no clipping). */
  readonly maxGradNorm?: number
  /** Stop after this many epochs without a better validation (default: never). */
  readonly patience?: number
  /** Default: every example once per epoch, shuffled. */
  readonly sampler?: Sampler<Example>
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

/** Gradients of the mean loss over `micro` batches, summed into kept tensors. */
const accumulatedGradients = <Example>(
  variables: ReadonlyArray<tf.Variable>,
  task: TrainingTask<Example>,
  micro: ReadonlyArray<ReadonlyArray<Example>>,
): { grads: Array<tf.Tensor>; loss: number } => {
  let sums: Array<tf.Tensor> | undefined
  let loss = 0
  for (const batch of micro) {
    const { value, grads } = tf.variableGrads(() => task.loss(batch), variables as Array<tf.Variable>)
    const ordered = variables.map((v) => gradientOf(grads, v))
    const previous = sums
    sums = tf.tidy(() => ordered.map((g, i) => (previous ? (previous[i] as tf.Tensor).add(g) : g.clone())))
    if (previous) tf.dispose(previous)
    loss += value.dataSync()[0] as number
    tf.dispose([value, ...Object.values(grads)])
  }
  const total = sums as Array<tf.Tensor>
  const mean = tf.tidy(() => total.map((g) => g.div(micro.length)))
  tf.dispose(total)
  return { grads: mean, loss: loss / micro.length }
}

export const train = <Example>(
  variables: ReadonlyArray<tf.Variable>,
  task: TrainingTask<Example>,
  config: TrainConfig<Example>,
): Effect.Effect<TrainSummary, never, Events> =>
  Effect.gen(function* () {
    const optimizer = adamW(variables, { lr: config.lr, weightDecay: config.weightDecay })
    const accumulation = config.gradientAccumulation ?? 1
    const sampler = config.sampler ?? shuffled<Example>()
    const microPerEpoch = Math.ceil(task.examples.length / config.batchSize)
    const stepsPerEpoch = Math.ceil(microPerEpoch / accumulation)
    const totalSteps = stepsPerEpoch * config.epochs
    const schedule = { lr: config.lr, warmupSteps: config.warmupSteps, totalSteps, decay: config.decay }
    const steps: Array<StepRecord> = []
    const epochs: Array<EpochRecord> = []
    let best: { validation: Validation; epoch: number; snapshot: Snapshot } | undefined
    let sinceBest = 0
    const started = performance.now()
    let tokensSeen = 0

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const micro = batchesOf(sampler(task.examples, config.rng), config.batchSize)
      let lossSum = 0
      for (const group of batchesOf(micro, accumulation)) {
        const stepStart = performance.now()
        const accumulated = accumulatedGradients(variables, task, group)
        const clipped = config.maxGradNorm === undefined ? undefined : clipByGlobalNorm(accumulated.grads, config.maxGradNorm)
        const grads = clipped?.grads ?? accumulated.grads
        const lr = learningRate(steps.length + 1, schedule)
        optimizer.step(new Map(variables.map((v, i) => [v, grads[i] as tf.Tensor])), lr)
        const gradNorm = clipped?.norm ?? globalNorm(grads)
        tf.dispose([...accumulated.grads, ...(clipped?.grads ?? [])])
        const tokens = group.reduce((sum, batch) => sum + task.tokens(batch), 0)
        tokensSeen += tokens
        lossSum += accumulated.loss
        const record = { epoch, step: steps.length + 1, loss: accumulated.loss, lr, gradNorm, tokens, ms: performance.now() - stepStart }
        steps.push(record)
        const elapsedMs = performance.now() - started
        yield* emit({
          type: "train-step",
          arm: config.arm,
          epoch,
          epochs: config.epochs,
          step: record.step,
          totalSteps,
          loss: record.loss,
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
        sinceBest = 0
      } else {
        sinceBest += 1
      }
      const trainLoss = lossSum / stepsPerEpoch
      epochs.push({ epoch, trainLoss, validation, best: improved })
      yield* emit({ type: "epoch-end", arm: config.arm, epoch, trainLoss, validation, best: improved })
      if (config.patience !== undefined && sinceBest >= config.patience) break
    }

    if (best) {
      restoreSnapshot(variables, best.snapshot)
      disposeSnapshot(best.snapshot)
    }
    optimizer.dispose()
    return {
      steps,
      epochs,
      bestEpoch: best?.epoch ?? 0,
      trainMs: performance.now() - started,
      stoppedEarly: epochs.length < config.epochs,
    }
  })
