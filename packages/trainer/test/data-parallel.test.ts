import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { availableParallelism } from "node:os"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Events, Rng } from "@peftlab/core"
import { DataParallelError, shard, shardStep, startDataParallel, train, type DataParallel, type StepGradients, type TrainingTask } from "../src/index.ts"
import { accumulatedGradients } from "../src/gradients.ts"
import { mlp, type Example, type MlpInit } from "./support/mlp-replica.ts"

const replicaModule = new URL("./support/mlp-replica.ts", import.meta.url)
const init: MlpInit = { inputs: 4, hidden: 6, classes: 3, seed: 7 }
const UNUSED = 4 // the MLP's variable that its loss never reaches

const examples: Array<Example> = Array.from({ length: 24 }, (_, i) => ({
  x: [Math.sin(i), Math.cos(3 * i), (i % 5) / 5 - 0.4, 1 - i / 24],
  label: (i * 7) % 3,
}))

// Largest difference relative to the reference's largest magnitude, per tensor.
const expectClose = async (actual: ReadonlyArray<tf.Tensor>, expected: ReadonlyArray<tf.Tensor>, tolerance: number) => {
  expect(actual.length).toBe(expected.length)
  for (const [i, t] of actual.entries()) {
    const [a, e] = [await t.data(), await (expected[i] as tf.Tensor).data()]
    const scale = Math.max(...Array.from(e, Math.abs))
    const worst = Math.max(...Array.from(a, (x, k) => Math.abs(x - (e[k] as number))))
    expect(worst).toBeLessThanOrEqual(tolerance * scale)
  }
}

const disposeStep = (s: StepGradients) => tf.dispose([...s.grads, s.loss])

describe("shard", () => {
  it("deals contiguous runs whose lengths differ by at most one, longer runs first", () => {
    expect(shard([1, 2, 3], 2)).toEqual([[1, 2], [3]])
    expect(shard([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5], [6, 7]])
    expect(shard([1], 3)).toEqual([[1], [], []])
  })

  it("shardStep deals whole micro-batches when there are enough, else cuts each micro-batch's examples across the workers", () => {
    expect(shardStep([[1, 2], [3, 4], [5]], 2)).toEqual([[[1, 2], [3, 4]], [[5]]])
    expect(shardStep([[1, 2, 3, 4, 5]], 2)).toEqual([[[1, 2, 3]], [[4, 5]]])
    expect(shardStep([[1]], 2)).toEqual([[[1]], []])
  })
})

describe("data-parallel gradients", () => {
  let one: DataParallel<ReadonlyArray<Example>>
  let two: DataParallel<ReadonlyArray<Example>>
  const model = mlp(init)

  beforeAll(async () => {
    const start = (workers: number) => startDataParallel<ReadonlyArray<Example>>({ module: replicaModule, init, workers })
    ;[one, two] = await Promise.all([start(1), start(2)])
  })
  afterAll(async () => {
    await Promise.all([one.close(), two.close()])
    model.dispose()
  })

  // Micro-batches of 3, 2 and 1 examples: worker 0 gets the first two, worker 1 the last.
  const micro = [examples.slice(0, 3), examples.slice(3, 5), examples.slice(5, 6)]

  it("weights each micro-batch by its examples: 1 worker, 2 uneven workers and one local batch of all agree (relative 1e-6)", async () => {
    const before = tf.memory().numTensors
    const whole = accumulatedGradients(model.variables, model.loss, [micro.flat()])
    const onWorker = await one.gradients(model.variables, [micro])
    const onTwo = await two.gradients(model.variables, shard(micro, 2))
    for (const got of [onWorker, onTwo]) {
      expect(got.reached).toEqual(whole.reached)
      expect(got.reached).not.toContain(model.variables[UNUSED])
      await expectClose(got.grads, whole.grads, 1e-6)
      await expectClose([got.loss], [whole.loss], 1e-6)
    }
    ;[whole, onWorker, onTwo].forEach(disposeStep)
    expect(tf.memory().numTensors).toBe(before)
  })

  it("scores each worker's shard with the weights it is sent (batched scoring), as the main thread does", async () => {
    // Other weights than the replicas were built with: evaluate must use the ones sent.
    const moved = model.variables.map((v) => v.clone())
    model.variables.forEach((v) => v.assign(v.mul(1.5)))
    const outputs = await two.evaluate(model.variables, shard(micro, 2))
    expect(outputs.map((shardOutputs) => shardOutputs.length)).toEqual([2, 1])
    const local = micro.map((batch) => model.evaluate(batch))
    const close = (a: Array<Array<number>>, b: Array<Array<number>>) => a.flat().every((x, i) => Math.abs(x - b.flat()[i]!) <= 1e-6 * Math.max(1, Math.abs(x)))
    outputs.flat().forEach((got, i) => expect(close(got as Array<Array<number>>, local[i]!), `batch ${i}`).toBe(true))
    model.variables.forEach((v, i) => v.assign(moved[i]!))
    tf.dispose(moved)
  })

  it("hands out the replicas' variables as built, for a trainer that loads no model", () => {
    const variables = two.replicaVariables()
    variables.forEach((v, i) => expect(Array.from(v.dataSync()), `variable ${i}`).toEqual(Array.from(model.variables[i]!.dataSync())))
    tf.dispose(variables)
  })

  it("leaves a worker with an empty shard idle", async () => {
    const local = accumulatedGradients(model.variables, model.loss, micro.slice(0, 1))
    const parallel = await two.gradients(model.variables, shard(micro.slice(0, 1), 2))
    await expectClose(parallel.grads, local.grads, 1e-6)
    ;[local, parallel].forEach(disposeStep)
  })

  it("rejects with a DataParallelError naming the worker whose replica threw, and keeps working", async () => {
    const poisoned = [[micro[0]!], [[{ x: [0, 0, 0, 0], label: -1 }]]]
    const tensors = two.workerTensors()
    const failure = await two.gradients(model.variables, poisoned).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(DataParallelError)
    expect(failure).toMatchObject({ _tag: "DataParallelError", worker: 1 })
    expect((failure as DataParallelError).message).toContain("data-parallel worker 1: RangeError: label -1 is not a class (0..2)")
    const after = await two.gradients(model.variables, shard(micro, 2))
    expect(after.grads).toHaveLength(4)
    expect(two.workerTensors()).toEqual(tensors)
    disposeStep(after)
  })

  it("trains to the same variables as the local loop, leaking no tensor in either thread (tolerance 1e-5)", async () => {
    const quiet = Layer.succeed(Events, { emit: () => Effect.void })
    const run = async (accumulation: number, parallel?: DataParallel<ReadonlyArray<Example>>) => {
      const { variables, loss, dispose } = mlp(init)
      const task: TrainingTask<Example> = {
        examples,
        // With workers, the loss is theirs alone.
        loss: parallel
          ? () => {
              throw new Error("the main thread computed a loss")
            }
          : loss,
        tokens: (batch) => batch.length,
        validate: (epoch) => Effect.succeed({ metric: "epoch", value: epoch, higherIsBetter: true }),
      }
      const config = { arm: "toy", epochs: 2, batchSize: 3, gradientAccumulation: accumulation, lr: 0.05, weightDecay: 0.1, maxGradNorm: 1, warmupSteps: 2, rng: Rng.seeded(4) }
      const before = tf.memory().numTensors
      const summary = await Effect.runPromise(train(variables, task, { ...config, ...(parallel ? { parallel } : {}) }).pipe(Effect.provide(quiet)))
      expect(tf.memory().numTensors).toBe(before)
      const values = variables.map((v) => v.clone())
      dispose()
      return { values, losses: summary.steps.map((s) => s.loss) }
    }
    const tensorsAtStart = two.workerTensors()
    // Accumulating 2 micro-batches, each worker takes one; with 1, each worker takes part of its examples.
    for (const accumulation of [2, 1]) {
      const [local, parallel] = [await run(accumulation), await run(accumulation, two)]
      expect(parallel.losses).toHaveLength(16 / accumulation)
      parallel.losses.forEach((loss, i) => expect(Math.abs(loss - local.losses[i]!), `accumulation ${accumulation}, step ${i}`).toBeLessThan(1e-5))
      for (const [i, v] of parallel.values.entries()) {
        const [got, want] = [await v.data(), await local.values[i]!.data()]
        got.forEach((x, k) => expect(Math.abs(x - want[k]!)).toBeLessThan(1e-5))
      }
      // The unreached variable moved in neither run, not even by weight decay.
      expect(Array.from(await parallel.values[UNUSED]!.data())).toEqual([1, 1])
      tf.dispose([...local.values, ...parallel.values])
    }
    expect(two.workerTensors()).toEqual(tensorsAtStart)
  })

  it("ends a training run with the worker's error", async () => {
    const poisoned = examples.map((e, i) => (i === 23 ? { ...e, label: 3 } : e))
    const { variables, loss, dispose } = mlp(init)
    const task: TrainingTask<Example> = { examples: poisoned, loss, tokens: (b) => b.length, validate: () => Effect.succeed({ metric: "m", value: 0, higherIsBetter: true }) }
    const run = train(variables, task, { arm: "toy", epochs: 1, batchSize: 3, gradientAccumulation: 2, lr: 0.05, weightDecay: 0, sampler: (all) => all.slice(), rng: Rng.seeded(1), parallel: two })
    const failure = await Effect.runPromise(run.pipe(Effect.provide(Layer.succeed(Events, { emit: () => Effect.void })))).catch((e: unknown) => e)
    // The last example is in the last step's second micro-batch: worker 1's.
    expect(failure).toBeInstanceOf(DataParallelError)
    expect((failure as DataParallelError).message).toContain("data-parallel worker 1: RangeError: label 3 is not a class")
    dispose()
  })

  it("rejects steps once the pool is closed", async () => {
    await one.close()
    await expect(one.gradients(model.variables, [micro])).rejects.toThrow("data-parallel worker 0: the pool was closed")
  })
})

describe("startDataParallel", () => {
  it("tells each replica its share of the cores this process may use, for its backend's threads", async () => {
    const pool = await startDataParallel({ module: new URL("./support/context-replica.ts", import.meta.url), init: null, workers: 2 })
    try {
      const share = { threads: Math.max(1, Math.floor(availableParallelism() / 2)) }
      expect(await pool.evaluate([], [["a"], ["b"]])).toEqual([[share], [share]])
    } finally {
      await pool.close()
    }
  })

  it("rejects with a DataParallelError when a replica cannot be built", async () => {
    const failure = await startDataParallel({ module: replicaModule, init: { ...init, hidden: 0 }, workers: 1 }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(DataParallelError)
    expect((failure as DataParallelError).message).toContain("data-parallel worker 0: RangeError: hidden must be at least 1, got 0")
  })
})
