import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createKeyValueCache, generateCausal, loadCausalLM, type CausalLM, type KeyValue } from "../src/index.ts"
import { tinyLlama, writeRandomCheckpoint } from "./random-checkpoint.ts"

const prompts = [
  [1, 7, 33, 4, 49],
  [1, 18],
  [1, 40, 9, 12],
]

/** Left-padded ids and mask, as generation wants them. */
const padLeft = (rows: ReadonlyArray<ReadonlyArray<number>>) => {
  const time = Math.max(...rows.map((r) => r.length))
  return {
    ids: tf.tensor2d(rows.map((r) => [...Array(time - r.length).fill(0), ...r]), undefined, "int32"),
    mask: tf.tensor2d(rows.map((r) => [...Array(time - r.length).fill(0), ...r.map(() => 1)]), undefined, "int32"),
  }
}

const randomPrefix = (batch: number, virtual: number): KeyValue[] => {
  const rng = Rng.seeded(3)
  const block = () => tf.tensor4d(Float32Array.from({ length: tinyLlama.num_key_value_heads * virtual * tinyLlama.head_dim }, () => rng.normal()), [1, tinyLlama.num_key_value_heads, virtual, tinyLlama.head_dim]).tile([batch, 1, 1, 1]) as tf.Tensor4D
  return Array.from({ length: tinyLlama.num_hidden_layers }, () => ({ key: block(), value: block() }))
}

describe("greedy generation (Llama, cpu)", () => {
  let model: CausalLM
  beforeAll(async () => {
    await cpu.setup()
    model = await Effect.runPromise(loadCausalLM((await writeRandomCheckpoint({ seed: 4 })).dir))
  })
  afterAll(() => model.dispose())

  const generate = (rows: ReadonlyArray<ReadonlyArray<number>>, options: { useCache: boolean; prefix?: KeyValue[]; eos?: number[] }) => {
    const { ids, mask } = padLeft(rows)
    const embeds = model.embed(ids)
    return generateCausal(model, { embeds, attentionMask: mask, prefix: options.prefix }, { maxNewTokens: 6, useCache: options.useCache, eosTokenIds: options.eos ?? [] }).finally(() =>
      tf.dispose([ids, mask, embeds]),
    )
  }

  it("gives the same tokens with the key/value cache as rerunning the whole sequence, left-padded, and leaks nothing", async () => {
    const before = tf.memory().numTensors
    const cached = await generate(prompts, { useCache: true })
    const full = await generate(prompts, { useCache: false })
    expect(cached).toEqual(full)
    expect(cached.every((row) => row.length === 6)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
  })

  it("gives each left-padded row the tokens it gets alone (positions follow the attention mask)", async () => {
    const batched = await generate(prompts, { useCache: true })
    for (const [i, prompt] of prompts.entries()) expect(await generate([prompt], { useCache: true })).toEqual([batched[i]])
  })

  it("with a prefix, the cache seeded with it gives the tokens of full reruns that attend to it", async () => {
    const prefix = randomPrefix(prompts.length, 3)
    const cached = await generate(prompts, { useCache: true, prefix })
    const full = await generate(prompts, { useCache: false, prefix })
    const without = await generate(prompts, { useCache: true })
    tf.dispose(prefix.flatMap((p) => [p.key, p.value]))
    expect(cached).toEqual(full)
    expect(cached).not.toEqual(without)
  })

  it("stops a row at an end-of-sequence id, leaving the id out", async () => {
    const free = await generate(prompts, { useCache: true })
    const eos = free[0]![2]!
    const stopped = await generate(prompts, { useCache: true, eos: [eos] })
    for (const [i, row] of free.entries()) {
      const at = row.indexOf(eos)
      expect(stopped[i]).toEqual(at === -1 ? row : row.slice(0, at))
    }
  })

  it("keeps cached keys/values of every layer and the mask, and frees them on dispose", () => {
    const cache = createKeyValueCache(tinyLlama.num_hidden_layers)
    const before = tf.memory().numTensors
    const { ids, mask } = padLeft(prompts)
    tf.tidy(() => {
      model.forward({ embeds: model.embed(ids), attentionMask: mask, cache })
    })
    expect(cache.length).toBe(5)
    expect(tf.memory().numTensors).toBe(before + 2 + 2 * tinyLlama.num_hidden_layers + 1)
    cache.dispose()
    tf.dispose([ids, mask])
    expect(tf.memory().numTensors).toBe(before)
  })
})
