import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Events, Rng, type RunEvent } from "@peftlab/core"
import { batchesOf, hostStateThreshold, statePlacement, train, type StatePlacement, type TrainCheckpoint, type TrainingTask, type Validation } from "../src/index.ts"

const collect = (events: Array<RunEvent>) => Layer.succeed(Events, { emit: (e) => Effect.sync(() => void events.push(e)) })

// A least-squares problem y = 3x - 1 with a trainable slope and intercept.
// `noise`, when given, perturbs the slope on every loss evaluation, the way dropout draws.
const regression = (validations?: ReadonlyArray<number>, noise?: Rng) => {
  const w = tf.variable(tf.scalar(0))
  const b = tf.variable(tf.scalar(0))
  const xs = Array.from({ length: 32 }, (_, i) => i / 16 - 1)
  const examples = xs.map((x) => ({ x, y: 3 * x - 1 }))
  const snapshots: Array<[number, number]> = []
  const task: TrainingTask<{ x: number; y: number }> = {
    examples,
    loss: (batch) =>
      tf.tidy(() => {
        const x = tf.tensor1d(batch.map((e) => e.x))
        const y = tf.tensor1d(batch.map((e) => e.y))
        const slope = noise ? w.mul(1 + 0.1 * noise.normal()) : w
        return x.mul(slope).add(b).sub(y).square().mean() as tf.Scalar
      }),
    tokens: (batch) => batch.length,
    validate: (epoch): Effect.Effect<Validation> =>
      Effect.sync(() => {
        snapshots.push([w.dataSync()[0]!, b.dataSync()[0]!])
        return { metric: "score", value: validations?.[epoch - 1] ?? -epoch, higherIsBetter: true }
      }),
  }
  return { w, b, task, snapshots }
}

describe("train", () => {
  it("drives the loss far below its start and reports every step and epoch", async () => {
    const { w, b, task } = regression([1, 2, 3, 4, 5, 6])
    const events: Array<RunEvent> = []
    const summary = await Effect.runPromise(
      train([w, b], task, { arm: "toy", epochs: 6, batchSize: 8, lr: 0.1, weightDecay: 0, rng: Rng.seeded(1) }).pipe(
        Effect.provide(collect(events)),
      ),
    )
    expect(summary.steps).toHaveLength(24)
    expect(summary.steps.at(-1)!.loss).toBeLessThan(summary.steps[0]!.loss / 20)
    expect(summary.bestEpoch).toBe(6)
    expect(events.filter((e) => e.type === "train-step")).toHaveLength(24)
    expect(events.filter((e) => e.type === "epoch-end")).toHaveLength(6)
    tf.dispose([w, b])
  })

  it("leaves a variable the loss never reaches unchanged, even under weight decay, and trains the rest", async () => {
    const { w, b, task } = regression()
    const unused = tf.variable(tf.tensor1d([0.5, -2]))
    const summary = await Effect.runPromise(
      train([w, unused, b], task, { arm: "toy", epochs: 2, batchSize: 8, lr: 0.1, weightDecay: 0.1, rng: Rng.seeded(1) }).pipe(Effect.provide(collect([]))),
    )
    expect(Array.from(unused.dataSync())).toEqual([0.5, -2])
    expect(summary.steps.at(-1)!.loss).toBeLessThan(summary.steps[0]!.loss / 2)
    tf.dispose([w, b, unused])
  })

  it("refuses a loss that reaches no trainable variable", async () => {
    const unused = tf.variable(tf.scalar(1))
    const task: TrainingTask<number> = { examples: [1, 2], loss: () => tf.scalar(0), tokens: () => 1, validate: () => Effect.succeed({ metric: "score", value: 0, higherIsBetter: true }) }
    const run = train([unused], task, { arm: "toy", epochs: 1, batchSize: 2, lr: 0.1, weightDecay: 0, rng: Rng.seeded(1) }).pipe(Effect.provide(collect([])))
    await expect(Effect.runPromise(run)).rejects.toThrow("Cannot find a connection between any variable and the result of the loss")
    unused.dispose()
  })

  it("restores the best epoch's variables, not the last epoch's", async () => {
    const { w, b, task, snapshots } = regression([0.2, 0.9, 0.5])
    const summary = await Effect.runPromise(
      train([w, b], task, { arm: "toy", epochs: 3, batchSize: 8, lr: 0.1, weightDecay: 0, rng: Rng.seeded(2) }).pipe(
        Effect.provide(collect([])),
      ),
    )
    expect(summary.bestEpoch).toBe(2)
    expect(summary.epochs.map((e) => e.best)).toEqual([true, true, false])
    expect([w.dataSync()[0], b.dataSync()[0]]).toEqual(snapshots[1])
    tf.dispose([w, b])
  })

  it.each([
    ["plain steps", {}],
    ["accumulated and clipped steps", { gradientAccumulation: 2, maxGradNorm: 0.5 }],
  ])("keeps the tensor count flat across %s (no leaks)", async (_, options) => {
    const { w, b, task } = regression()
    const before = tf.memory().numTensors
    await Effect.runPromise(
      train([w, b], task, { arm: "toy", epochs: 5, batchSize: 4, lr: 0.05, weightDecay: 0.01, rng: Rng.seeded(3), ...options }).pipe(
        Effect.provide(collect([])),
      ),
    )
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([w, b])
  })

  it("is deterministic for a seed", async () => {
    const run = async () => {
      const { w, b, task } = regression()
      const summary = await Effect.runPromise(
        train([w, b], task, { arm: "toy", epochs: 2, batchSize: 5, lr: 0.05, weightDecay: 0, rng: Rng.seeded(9) }).pipe(
          Effect.provide(collect([])),
        ),
      )
      tf.dispose([w, b])
      return summary.steps.map((s) => s.loss)
    }
    expect(await run()).toEqual(await run())
  })
})

describe("batchesOf", () => {
  it("splits into full batches and a smaller last one", () => {
    expect(batchesOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
  })
})

describe("train options", () => {
  const inOrder = <A>(examples: ReadonlyArray<A>) => examples.slice()

  it("accumulates micro-batch gradients into the same step as one larger batch (tolerance 1e-6)", async () => {
    const run = async (batchSize: number, gradientAccumulation: number) => {
      const { w, b, task } = regression()
      await Effect.runPromise(
        train([w, b], task, { arm: "toy", epochs: 2, batchSize, gradientAccumulation, lr: 0.05, weightDecay: 0, rng: Rng.seeded(1), sampler: inOrder }).pipe(
          Effect.provide(collect([])),
        ),
      )
      const values = [w.dataSync()[0]!, b.dataSync()[0]!]
      tf.dispose([w, b])
      return values
    }
    const [whole, accumulated] = [await run(8, 1), await run(4, 2)]
    whole.forEach((x, i) => expect(Math.abs(x - accumulated[i]!)).toBeLessThan(1e-6))
  })

  it("applies the schedule and clipping, recording each step's lr and gradient norm", async () => {
    const { w, b, task } = regression()
    const summary = await Effect.runPromise(
      train([w, b], task, { arm: "toy", epochs: 1, batchSize: 8, lr: 0.1, weightDecay: 0, rng: Rng.seeded(1), warmupSteps: 2, decay: "linear", maxGradNorm: 0.5 }).pipe(
        Effect.provide(collect([])),
      ),
    )
    expect(summary.steps.map((s) => s.lr)).toEqual([0, 0.05, 0.1, 0.05])
    expect(summary.steps[0]!.gradNorm).toBeGreaterThan(0.5)
    tf.dispose([w, b])
  })

  it("stops early after `patience` epochs without a better validation", async () => {
    const { w, b, task } = regression([1, 0.5, 0.4, 0.3, 0.2])
    const summary = await Effect.runPromise(
      train([w, b], task, { arm: "toy", epochs: 5, batchSize: 8, lr: 0.1, weightDecay: 0, rng: Rng.seeded(1), patience: 2 }).pipe(Effect.provide(collect([]))),
    )
    expect(summary.epochs).toHaveLength(3)
    expect(summary.stoppedEarly).toBe(true)
    expect(summary.bestEpoch).toBe(1)
    tf.dispose([w, b])
  })
})

describe("checkpoints", () => {
  const config = { arm: "toy", epochs: 3, batchSize: 8, lr: 0.05, weightDecay: 0.01, warmupSteps: 2, decay: "cosine" as const }

  it("resume from any checkpoint, mid-epoch or at an epoch's end, and end bit-identical to an uninterrupted run", async () => {
    const saved: Array<TrainCheckpoint> = []
    // The loss draws from the training generator too, as LoRA's dropout does.
    const rng = Rng.seeded(5)
    const full = regression([0.3, 0.9, 0.5], rng)
    const summary = await Effect.runPromise(
      train([full.w, full.b], full.task, {
        ...config,
        rng,
        checkpoint: { everySteps: 3, save: (c) => Effect.sync(() => void saved.push(c)) },
      }).pipe(Effect.provide(collect([]))),
    )
    const expected = [full.w.dataSync()[0], full.b.dataSync()[0]]
    // Steps 3, 6 and 9 fall mid-epoch (4 steps an epoch); epochs 1 and 2 end with one each.
    expect(saved.map((c) => [c.epoch, c.stepsDoneInEpoch])).toEqual([[1, 3], [2, 0], [2, 2], [3, 0], [3, 1]])
    for (const checkpoint of saved) {
      const otherRng = Rng.seeded(999)
      const again = regression([0.3, 0.9, 0.5], otherRng)
      const resumed = await Effect.runPromise(
        train([again.w, again.b], again.task, { ...config, rng: otherRng, checkpoint: { save: () => Effect.void, resumeFrom: checkpoint } }).pipe(
          Effect.provide(collect([])),
        ),
      )
      expect([again.w.dataSync()[0], again.b.dataSync()[0]]).toEqual(expected)
      expect(resumed.steps.map((s) => s.loss)).toEqual(summary.steps.map((s) => s.loss))
      expect(resumed.bestEpoch).toBe(summary.bestEpoch)
      tf.dispose([again.w, again.b])
    }
    tf.dispose([full.w, full.b])
  })
})

describe("training state on the host (moments and best epoch outside the backend)", () => {
  const config = { arm: "toy", epochs: 3, batchSize: 8, lr: 0.05, weightDecay: 0.01, warmupSteps: 2, decay: "cosine" as const }
  const runOn = async (stateOn: StatePlacement, options: { maxGradNorm?: number; resumeFrom?: TrainCheckpoint; saved?: Array<TrainCheckpoint> } = {}) => {
    const rng = Rng.seeded(5)
    const { w, b, task } = regression([0.3, 0.9, 0.5], rng)
    const before = tf.memory().numTensors
    const summary = await Effect.runPromise(
      train([w, b], task, {
        ...config,
        rng,
        stateOn,
        ...(options.maxGradNorm !== undefined && { maxGradNorm: options.maxGradNorm }),
        checkpoint: { everySteps: 3, save: (c) => Effect.sync(() => void options.saved?.push(c)), ...(options.resumeFrom && { resumeFrom: options.resumeFrom }) },
      }).pipe(Effect.provide(collect([]))),
    )
    const leaked = tf.memory().numTensors - before
    const values = [w.dataSync()[0]!, b.dataSync()[0]!]
    tf.dispose([w, b])
    return { values, losses: summary.steps.map((s) => s.loss), bestEpoch: summary.bestEpoch, leaked }
  }

  it("steps exactly as the backend's AdamW does (every value rounded to float32 alike), restores the best epoch and leaks nothing", async () => {
    const [backend, host] = [await runOn("backend"), await runOn("host")]
    expect(host.values).toEqual(backend.values)
    expect(host.losses).toEqual(backend.losses)
    expect(host.bestEpoch).toBe(2)
    expect(host.leaked).toBe(0)
  })

  it("clips on the host to the same update within 1e-6 (the norm is summed in float64 there)", async () => {
    const [backend, host] = [await runOn("backend", { maxGradNorm: 0.5 }), await runOn("host", { maxGradNorm: 0.5 })]
    host.values.forEach((x, i) => expect(Math.abs(x - backend.values[i]!)).toBeLessThan(1e-6))
  })

  it("resumes from its checkpoints bit-identically, and from the backend's checkpoints too (one state format)", async () => {
    const hostSaved: Array<TrainCheckpoint> = []
    const backendSaved: Array<TrainCheckpoint> = []
    const full = await runOn("host", { saved: hostSaved })
    await runOn("backend", { saved: backendSaved })
    expect(hostSaved.length).toBe(5)
    for (const resumeFrom of [...hostSaved, ...backendSaved]) {
      const resumed = await runOn("host", { resumeFrom })
      expect(resumed.values).toEqual(full.values)
      expect(resumed.bestEpoch).toBe(full.bestEpoch)
    }
  })

  it("is chosen for more than hostStateThreshold trainable values on cpu, the backend otherwise, unless asked", () => {
    const small = tf.variable(tf.zeros([4]))
    const large = tf.variable(tf.zeros([hostStateThreshold + 1]))
    expect(tf.getBackend()).toBe("cpu")
    expect(statePlacement([small])).toBe("backend")
    expect(statePlacement([small, large])).toBe("host")
    expect(statePlacement([small, large], "backend")).toBe("backend")
    tf.dispose([small, large])
  })
})
