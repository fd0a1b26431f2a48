// The frozen-activation cache (issue 20, "No wasted work") changes nothing but the work done.
// Trained 3 epochs on shuffled batches of rows of mixed lengths (so a row is padded differently
// from one epoch to the next), LoRA on the top layer of a tiny Llama (its base float32 or NF4) or
// BERT, and a readout over a wholly frozen BERT, end with the very bytes they end with uncached, while every row after the
// first epoch is served from the cache; so too when the cache holds only some rows. With an
// adapter in layer 0 nothing is below it, and the cache stays unused; a trainable weight below
// the adapter turns it off.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as native } from "@peftlab/backend-native"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { encoderOutputs, frozenBase } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { Events, Rng } from "@peftlab/core"
import { continuationNll } from "@peftlab/evaluators"
import { frozenActivationCache, loadModel, quantizeModelLinears, type BaseModel, type FrozenActivationStats } from "@peftlab/models"
import { train } from "@peftlab/trainer"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"

// Six rows of 3 to 8 ids below the tiny vocabulary of 64.
const rows = [[1, 5, 9, 12], [1, 7, 3], [1, 22, 31, 40, 41, 8], [1, 17, 18, 19, 20, 21, 22, 9], [1, 60, 2, 33, 4], [1, 11, 13]]

interface Trained {
  readonly trainable: ReadonlyArray<tf.Variable>
  readonly loss: (batch: ReadonlyArray<ReadonlyArray<number>>) => tf.Scalar
  readonly dispose: () => void
}

/** LoRA on q, v and the output projection of `layers` (Llama's and BERT's names). */
const lora = (model: BaseModel, layers: ReadonlyArray<number>, rng: Rng) =>
  createLora(model, { r: 2, loraAlpha: 4, loraDropout: 0.1, targetModules: ["q_proj", "v_proj", "down_proj", "query", "value", "output.dense"], layersToTransform: [...layers], useRslora: false, bias: "none" }, rng)

/** Llama: the answer-only loss on each row's last two ids. */
const causalLora = (layers: ReadonlyArray<number>) => (model: BaseModel, rng: Rng): Trained => {
  const adapter = lora(model, layers, rng)
  const loss = (batch: ReadonlyArray<ReadonlyArray<number>>) => {
    adapter.setTraining?.(true)
    try {
      if (model.kind !== "causal") throw new TypeError("a causal model was expected")
      return continuationNll(model, adapter, batch.map((ids) => ({ prompt: ids.slice(0, -2), continuation: ids.slice(-2) })), 0)
    } finally {
      adapter.setTraining?.(false)
    }
  }
  return { trainable: adapter.trainable, loss, dispose: () => adapter.dispose() }
}

/** BERT: a readout [hidden] of every real position's hidden state, squared; rows right-padded, their second half segment 1. */
const encoderReadout = (layers: ReadonlyArray<number> | undefined) => (model: BaseModel, rng: Rng): Trained => {
  const adapter = layers ? lora(model, layers, rng) : frozenBase()
  const start = tf.tensor1d(Float32Array.from({ length: model.dims.hidden_size }, () => rng.normal()))
  const readout = tf.variable(start, true, `readout-${Math.random()}`)
  start.dispose()
  const loss = (batch: ReadonlyArray<ReadonlyArray<number>>) =>
    tf.tidy(() => {
      if (model.kind !== "encoder") throw new TypeError("an encoder was expected")
      const time = Math.max(...batch.map((ids) => ids.length))
      const padded = (value: (ids: ReadonlyArray<number>, t: number) => number) => tf.tensor2d(batch.map((ids) => Array.from({ length: time }, (_, t) => (t < ids.length ? value(ids, t) : 0))), undefined, "int32")
      const mask = padded(() => 1)
      const { hidden } = encoderOutputs(model, adapter, { ids: padded((ids, t) => ids[t]!), attentionMask: mask, tokenTypeIds: padded((ids, t) => (2 * t >= ids.length ? 1 : 0)) })
      return hidden.mul(readout).sum(-1).mul(mask.toFloat()).square().mean() as tf.Scalar
    })
  return {
    trainable: [...adapter.trainable, readout],
    loss,
    dispose: () => {
      readout.dispose()
      adapter.dispose()
    },
  }
}

interface CachedRun {
  /** The trained variables, as bytes. */
  readonly bytes: ReadonlyArray<string>
  /** The cache's counters at the end of each epoch (none uncached). */
  readonly epochs: ReadonlyArray<FrozenActivationStats>
  readonly refusal: string | undefined
}

/** `make`'s variables trained 3 epochs, with a cache of `cacheMegabytes` MiB when given. */
const trainWith = async (model: BaseModel, make: (model: BaseModel, rng: Rng) => Trained, cacheMegabytes?: number): Promise<CachedRun> => {
  const rng = Rng.seeded(9)
  const trained = make(model, rng)
  // Every variable moved off its start (LoRA's B off zero), so each gets a gradient from the first step.
  trained.trainable.forEach((v, i) => tf.tidy(() => v.assign(v.add(tf.randomNormal(v.shape, 0, 0.05, "float32", i + 1)))))
  const cache = cacheMegabytes === undefined ? undefined : frozenActivationCache(cacheMegabytes, model.linears.values())
  model.frozenActivations!.cache = cache
  const epochs: Array<FrozenActivationStats> = []
  try {
    await Effect.runPromise(
      train(
        trained.trainable,
        {
          examples: rows,
          loss: trained.loss,
          tokens: () => 0,
          // The last epoch is kept, so the variables compared are those the last step left.
          validate: (epoch) =>
            Effect.sync(() => {
              if (cache) epochs.push(cache.stats())
              return { metric: "epoch", value: epoch, higherIsBetter: true }
            }),
        },
        { arm: "cache", epochs: 3, batchSize: 2, lr: 0.05, weightDecay: 0, rng },
      ).pipe(Effect.provide(Layer.succeed(Events, { emit: () => Effect.void }))),
    )
    return { bytes: trained.trainable.map((v) => Buffer.from(v.dataSync().buffer).toString("base64")), epochs, refusal: cache?.refusal() }
  } finally {
    model.frozenActivations!.cache = undefined
    cache?.clear()
    trained.dispose()
  }
}

interface Case {
  readonly name: string
  readonly architecture: TinyArchitecture
  readonly make: (model: BaseModel, rng: Rng) => Trained
  /** Done to the loaded model first. */
  readonly prepare?: (model: BaseModel) => Promise<unknown>
}

const cases: ReadonlyArray<Case> = [
  { name: "LoRA on the top layer of a Llama", architecture: "llama", make: causalLora([1]) },
  { name: "QLoRA on the top layer of a Llama (an NF4 base)", architecture: "llama", make: causalLora([1]), prepare: (model) => quantizeModelLinears(model) },
  { name: "LoRA on the top layer of a BERT", architecture: "bert", make: encoderReadout([1]) },
  { name: "a readout over a frozen BERT", architecture: "bert", make: encoderReadout(undefined) },
]

// The native plugin replaces the wasm backend's matrix product, so it comes last.
describe.each([
  ["cpu", cpu],
  ["wasm", wasm],
  ["native", native],
] as const)("frozen-activation cache (%s, tiny models with 2 layers)", (_, backend) => {
  it.each(cases)("$name: the same bytes, every row served from the cache after the first epoch, and under a bound", async ({ architecture, make, prepare }) => {
    await backend.setup()
    const model = await Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 3)))
    await prepare?.(model)
    const uncached = await trainWith(model, make)
    const tensors = tf.memory().numTensors
    const cached = await trainWith(model, make, 1)
    expect(tf.memory().numTensors).toBe(tensors)
    expect(cached.bytes).toEqual(uncached.bytes)
    expect(cached.epochs.map((e) => [e.hits, e.misses])).toEqual([
      [0, rows.length],
      [rows.length, rows.length],
      [2 * rows.length, rows.length],
    ])
    expect(cached.epochs[2]!.storedRows).toBe(rows.length)
    // Room for about two rows (a row is its real tokens x 24 floats): the rest are recomputed, to the same bytes.
    const bound = 1000
    const bounded = await trainWith(model, make, bound / 2 ** 20)
    expect(bounded.bytes).toEqual(uncached.bytes)
    const last = bounded.epochs[2]!
    expect(last.storedBytes).toBeLessThanOrEqual(bound)
    expect(last.storedRows).toBeGreaterThan(0)
    expect(last.storedRows).toBeLessThan(rows.length)
    expect(last.misses).toBeGreaterThan(rows.length)
    model.dispose()
  })

  it("stays unused with LoRA on layer 0, and turns itself off for a trainable weight below the adapter", async () => {
    await backend.setup()
    const model = await Effect.runPromise(loadModel(await writeTinyCheckpoint("llama", 3)))
    const bottom = await trainWith(model, causalLora([0, 1]), 1)
    expect(bottom.epochs.at(-1)).toEqual({ hits: 0, misses: 0, storedRows: 0, storedBytes: 0 })
    // Layer 0's norm weight made a trainable variable (no linear module replaced, so only the check finds it).
    const name = "model.layers.0.input_layernorm.weight"
    const parameters = model.parameters as Map<string, tf.Tensor>
    const frozen = parameters.get(name) as tf.Tensor
    const trainable = tf.variable(frozen, true, "layer-0-norm")
    parameters.set(name, trainable)
    try {
      const refused = await trainWith(model, causalLora([1]), 1)
      expect(refused.refusal).toMatch(/below layer 1 read the trainable variable layer-0-norm/)
      expect(refused.epochs.at(-1)).toEqual({ hits: 0, misses: 0, storedRows: 0, storedBytes: 0 })
      expect(refused.bytes).toEqual((await trainWith(model, causalLora([1]))).bytes)
    } finally {
      parameters.set(name, frozen)
      trainable.dispose()
    }
    model.dispose()
  })
})
