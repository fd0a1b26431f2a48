// The training loop: epochs of sampled mini-batches, one AdamW step per (accumulated) batch on
// the adapter's variables only, validation after each epoch, the best epoch's adapter kept,
// and checkpoints from which a stopped run continues exactly.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { emit, type Events, type Rng, type RngState } from "@peftlab/core"
import { assignValues, type CheckpointOptions, type TrainCheckpoint } from "./checkpoint.ts"
import { scalarValue, valuesOf } from "./host-reads.ts"
import { accumulatedGradients } from "./gradients.ts"
import type { DataParallel } from "./data-parallel/pool.ts"
import { shardStep } from "./data-parallel/shard.ts"
import { isBetter, type EpochRecord, type StepRecord, type TrainSummary, type Validation } from "./records.ts"
import { shuffled, type Sampler } from "./samplers.ts"
import { learningRate, type ScheduleConfig } from "./schedule.ts"
import { bestCopyOf, takeBestCopy, type BestCopy } from "./state/best-copy.ts"
import { statePlacement, type StatePlacement } from "./state/placement.ts"
import { updateStep } from "./state/update-step.ts"

export interface TrainingTask<Example> {
  readonly examples: ReadonlyArray<Example>
  /** Mean loss over a batch, built from the trainable variables (called under tf.variableGrads). */
  readonly loss: (batch: ReadonlyArray<Example>) => tf.Scalar
  /** Tokens a batch feeds the model, for throughput. */
  readonly tokens: (batch: ReadonlyArray<Example>) => number
  readonly validate: (epoch: number) => Effect.Effect<Validation>
}

export interface TrainConfig<Example = unknown, E = never> {
  readonly arm: string
  readonly epochs: number
  /** Examples per forward/backward pass (a micro-batch when accumulating). */
  readonly batchSize: number
  readonly lr: number
  readonly weightDecay: number
  /**
   * Draws each epoch's order. Anything else that draws during training (an adapter's dropout)
   * should share it: checkpoints save and restore its state, so a resumed run draws the same.
   */
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
  readonly checkpoint?: CheckpointOptions<E>
  /**
   * Computes each step's gradients on these workers instead of in this thread: the step's
   * micro-batches are dealt to them with `shard` (set `gradientAccumulation` to a multiple of
   * the workers to keep them all busy), and each micro-batch counts by its replica's `weight`.
   * The workers' losses replace `task.loss`; a worker's failure ends the run as a defect.
   */
  readonly parallel?: DataParallel<ReadonlyArray<Example>>
  /**
   * Where the optimizer's moments and the best epoch's values live (state/placement.ts); by
   * default on the host for large trainable sets on cpu and wasm, else on the backend.
   */
  readonly stateOn?: StatePlacement
  /** Per-variable factors on lr (parameter groups: LoRA+'s B at lr * ratio); every variable at lr when omitted. */
  readonly lrScales?: ReadonlyMap<tf.Variable, number>
}

/** Splits items into batches of `size` (the last one may be smaller). */
export const batchesOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

// Lets the terminal UI and signal handlers run between steps: tfjs work is synchronous.
const yieldToEventLoop = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

export const train = <Example, E = never>(
  variables: ReadonlyArray<tf.Variable>,
  task: TrainingTask<Example>,
  config: TrainConfig<NoInfer<Example>, E>,
): Effect.Effect<TrainSummary, E, Events> =>
  Effect.gen(function* () {
    const placement = statePlacement(variables, config.stateOn)
    const optimizer = updateStep(placement, variables, { lr: config.lr, weightDecay: config.weightDecay, ...(config.lrScales && { lrScales: config.lrScales }) }, config.maxGradNorm)
    const accumulation = config.gradientAccumulation ?? 1
    const sampler = config.sampler ?? shuffled<Example>()
    const stepsPerEpoch = Math.ceil(Math.ceil(task.examples.length / config.batchSize) / accumulation)
    const totalSteps = stepsPerEpoch * config.epochs
    const schedule = { lr: config.lr, warmupSteps: config.warmupSteps, totalSteps, decay: config.decay }

    const resume = config.checkpoint?.resumeFrom
    const steps: Array<StepRecord> = [...(resume?.steps ?? [])]
    const epochs: Array<EpochRecord> = [...(resume?.epochs ?? [])]
    let best: { validation: Validation; epoch: number; copy: BestCopy } | undefined
    let sinceBest = resume?.sinceBest ?? 0
    const rng = config.rng
    if (resume) {
      assignValues(variables, resume.variables)
      optimizer.restore(resume.optimizer)
      rng.restore(resume.epochRng)
      if (resume.best) best = { validation: resume.best.validation, epoch: resume.best.epoch, copy: bestCopyOf(placement, variables, resume.best.values) }
    }

    const checkpoint = (epoch: number, stepsDoneInEpoch: number, epochRng: RngState, lossSumInEpoch: number) => {
      const counters = { epoch, stepsDoneInEpoch, epochRng, rng: rng.state(), lossSumInEpoch, sinceBest, steps: [...steps], epochs: [...epochs] }
      const kept = best
      return Effect.promise(async (): Promise<TrainCheckpoint> => {
        const [values, optimizerState, bestValues] = await Promise.all([
          valuesOf(variables),
          optimizer.state(),
          kept?.copy.values(),
        ])
        return {
          ...counters,
          ...(kept && bestValues ? { best: { epoch: kept.epoch, validation: kept.validation, values: bestValues } } : {}),
          variables: values,
          optimizer: optimizerState,
        }
      })
    }

    const started = performance.now()
    let tokensSeen = 0
    for (let epoch = resume?.epoch ?? 1; epoch <= config.epochs; epoch++) {
      const epochRng = rng.state()
      const groups = batchesOf(batchesOf(sampler(task.examples, rng), config.batchSize), accumulation)
      // Mid-epoch, the steps already done drew more (dropout) after the epoch's order.
      if (epoch === resume?.epoch && resume.stepsDoneInEpoch > 0) rng.restore(resume.rng)
      const skip = epoch === resume?.epoch ? resume.stepsDoneInEpoch : 0
      let lossSum = epoch === resume?.epoch ? resume.lossSumInEpoch : 0
      for (const [i, group] of groups.entries()) {
        if (i < skip) continue
        const stepStart = performance.now()
        const parallel = config.parallel
        const accumulated = parallel
          ? yield* Effect.promise(() => parallel.gradients(variables, shardStep(group, parallel.workers)))
          : accumulatedGradients(variables, task.loss, group)
        const lr = learningRate(steps.length + 1, schedule)
        // The update is queued (or done, on the host) before the loss is read.
        const [gradNorm, loss] = yield* Effect.promise(() => Promise.all([optimizer.apply(accumulated.reached, accumulated.grads, lr), scalarValue(accumulated.loss)]))
        accumulated.loss.dispose()
        const tokens = group.reduce((sum, batch) => sum + task.tokens(batch), 0)
        tokensSeen += tokens
        lossSum += loss
        const record = { epoch, step: steps.length + 1, loss, lr, gradNorm, tokens, ms: performance.now() - stepStart }
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
        const every = config.checkpoint?.everySteps
        if (config.checkpoint && every && record.step % every === 0 && i + 1 < groups.length) {
          yield* config.checkpoint.save(yield* checkpoint(epoch, i + 1, epochRng, lossSum))
        }
        yield* yieldToEventLoop
      }
      const validation = yield* task.validate(epoch)
      const improved = isBetter(validation, best?.validation)
      if (improved) {
        best?.copy.dispose()
        best = { validation, epoch, copy: yield* Effect.promise(() => takeBestCopy(placement, variables)) }
        sinceBest = 0
      } else {
        sinceBest += 1
      }
      const trainLoss = lossSum / stepsPerEpoch
      epochs.push({ epoch, trainLoss, validation, best: improved })
      yield* emit({ type: "epoch-end", arm: config.arm, epoch, trainLoss, validation, best: improved })
      const stopping = config.patience !== undefined && sinceBest >= config.patience
      if (config.checkpoint && !stopping && epoch < config.epochs) yield* config.checkpoint.save(yield* checkpoint(epoch + 1, 0, rng.state(), 0))
      if (stopping) break
    }

    if (best) {
      best.copy.restore(variables)
      best.copy.dispose()
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
