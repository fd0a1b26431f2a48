// GPT-2 (HF GPT2LMHeadModel) on tiny random checkpoints: parameters and names, prefix keys and
// values against the float64 reference forward (naiveGpt2Logits), padded batches, the key/value
// cache, Conv1D as Linear, gradients, checkpoint files, and the wasm backend against the reference.
// The plain forward pass, loss and generation are checked against transformers itself in
// transformers-goldens.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Rng } from "@peftlab/core"
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { naiveGpt2Logits, tokenRows, type NaivePrefix } from "@peftlab/references"
import {
  architectureFor,
  createKeyValueCache,
  generateCausal,
  loadCausalLM,
  writeRandomCheckpoint,
  writeSafetensors,
  type CausalLM,
  type Float32Tensor,
  type Gpt2Config,
  type KeyValue,
  type Linear,
} from "../src/index.ts"
import { maxAbsDiff, padBatch } from "./batch-helpers.ts"

/** Tied head, n_inner null (4 * n_embd), 3 heads of 4. */
const tiedJson = { model_type: "gpt2", n_embd: 12, n_layer: 2, n_head: 3, n_inner: null, n_positions: 16, vocab_size: 40, bos_token_id: 0, eos_token_id: 1 }
/** Untied head, its own n_inner and epsilon. */
const untiedJson = { ...tiedJson, n_inner: 20, layer_norm_epsilon: 1e-3, tie_word_embeddings: false }

const decode = (json: unknown): Gpt2Config => {
  const decoded = architectureFor("gpt2")?.decodeConfig(json)
  if (!decoded || Result.isFailure(decoded)) throw new Error("test config does not decode")
  return decoded.success as Gpt2Config
}
const tiny = decode(tiedJson)

const writeTiny = async (json: Record<string, unknown>, seed = 1): Promise<{ dir: string; weights: Map<string, Float32Tensor> }> => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-gpt2-"))
  return { dir, weights: await Effect.runPromise(writeRandomCheckpoint(dir, json, seed)) }
}

/** A model on a random checkpoint of `json`, loaded on `plugin`'s backend before the enclosing block's tests and removed after them. */
const useTinyModel = (json: Record<string, unknown>, seed: number, plugin: { setup(): Promise<unknown> }) => {
  const loaded = {} as { model: CausalLM; weights: Map<string, Float32Tensor>; dir: string }
  beforeAll(async () => {
    await plugin.setup()
    Object.assign(loaded, await writeTiny(json, seed))
    loaded.model = await Effect.runPromise(loadCausalLM(loaded.dir))
  })
  afterAll(() => {
    loaded.model.dispose()
    rmSync(loaded.dir, { recursive: true })
  })
  return loaded
}

const sequences = [
  [3, 7, 33, 4, 39, 12, 0, 25],
  [5, 18, 2, 30, 9],
]

const logitsOf = (model: CausalLM, input: { ids: tf.Tensor2D; mask?: tf.Tensor2D; prefix?: ReadonlyArray<KeyValue> }): number[][][] =>
  tf.tidy(() => model.forward({ embeds: model.embed(input.ids), attentionMask: input.mask, prefix: input.prefix }).arraySync())
const single = (ids: ReadonlyArray<number>) => tf.tensor2d([[...ids]], undefined, "int32")

/** A random prefix for every layer, [head][virtual][headDim], at the scale of the model's keys. */
const randomPrefix = (virtual: number, seed: number): NaivePrefix[] => {
  const rng = Rng.seeded(seed)
  const block = () => Array.from({ length: tiny.n_head }, () => Array.from({ length: virtual }, () => Array.from({ length: tiny.head_dim }, () => rng.normal())))
  return Array.from({ length: tiny.n_layer }, () => ({ key: block(), value: block() }))
}
/** The prefix as forward takes it, repeated over `batch` rows. */
const prefixTensors = (prefix: ReadonlyArray<NaivePrefix>, batch: number): KeyValue[] =>
  tf.tidy(() =>
    prefix.map(({ key, value }) => ({
      key: tf.tensor4d([key as number[][][]]).tile([batch, 1, 1, 1]) as tf.Tensor4D,
      value: tf.tensor4d([value as number[][][]]).tile([batch, 1, 1, 1]) as tf.Tensor4D,
    })),
  )
const disposePrefix = (prefix: ReadonlyArray<KeyValue>) => tf.dispose(prefix.flatMap(({ key, value }) => [key, value]))

describe.each([
  { name: "tied head, n_inner null", json: tiedJson, parameterCount: 4464 },
  { name: "untied head, n_inner 20", json: untiedJson, parameterCount: 3544 },
])("GPT-2, $name, on a random checkpoint (cpu)", ({ json, parameterCount }) => {
  const config = decode(json)
  const loaded = useTinyModel(json, 1, cpu)

  it("holds the hand-counted parameters under HF names, the Conv1D weights as stored, and Llama-named dims", () => {
    expect(loaded.model.architecture).toBe("gpt2")
    expect(loaded.model.parameterCount()).toBe(parameterCount)
    expect(loaded.model.parameters.get("transformer.h.1.mlp.c_fc.weight")?.shape).toEqual([12, config.n_inner])
    expect(loaded.model.parameters.has("lm_head.weight")).toBe(!config.tie_word_embeddings)
    expect(loaded.model.dims).toEqual({ hidden_size: 12, num_hidden_layers: 2, num_attention_heads: 3, num_key_value_heads: 3, head_dim: 4, vocab_size: 40, max_position_embeddings: 16 })
    expect(loaded.model.eosTokenIds).toEqual([1])
  })

  it("with a prefix, matches the float64 forward that attends to it as past positions", () => {
    const prefix = randomPrefix(3, 5)
    const tensors = prefixTensors(prefix, 1)
    for (const ids of sequences) {
      const input = single(ids)
      const reference = naiveGpt2Logits(config, loaded.weights, tokenRows(loaded.weights, ids), prefix)
      expect(maxAbsDiff(logitsOf(loaded.model, { ids: input, prefix: tensors })[0] as number[][], reference)).toBeLessThan(1e-4)
      // The prefix matters: without it the logits are far from these.
      expect(maxAbsDiff(reference, naiveGpt2Logits(config, loaded.weights, tokenRows(loaded.weights, ids)))).toBeGreaterThan(0.05)
      input.dispose()
    }
    disposePrefix(tensors)
  })
})

describe("GPT-2 batches, cache, generation and gradients (cpu)", () => {
  const loaded = useTinyModel(tiedJson, 2, cpu)

  it.each(["left", "right"] as const)("gives a %s-padded batch each sequence's float64 logits at its real positions, with and without a prefix", (side) => {
    const prefix = randomPrefix(2, 6)
    const batched = prefixTensors(prefix, sequences.length)
    const { ids, mask } = padBatch(sequences, side, 17)
    const [plain, withPrefix] = [logitsOf(loaded.model, { ids, mask }), logitsOf(loaded.model, { ids, mask, prefix: batched })]
    sequences.forEach((seq, b) => {
      const real = (rows: number[][]) => (side === "left" ? rows.slice(rows.length - seq.length) : rows.slice(0, seq.length))
      expect(maxAbsDiff(real(plain[b] as number[][]), naiveGpt2Logits(tiny, loaded.weights, tokenRows(loaded.weights, seq)))).toBeLessThan(1e-4)
      expect(maxAbsDiff(real(withPrefix[b] as number[][]), naiveGpt2Logits(tiny, loaded.weights, tokenRows(loaded.weights, seq), prefix))).toBeLessThan(1e-4)
    })
    tf.dispose([ids, mask])
    disposePrefix(batched)
  })

  it("with the key/value cache, a prompt then one token at a time gives the full forward's logits, with and without a prefix", () => {
    const ids = sequences[0] as number[]
    for (const prefix of [undefined, prefixTensors(randomPrefix(3, 7), 1)]) {
      const full = logitsOf(loaded.model, { ids: single(ids), prefix })[0] as number[][]
      const cache = createKeyValueCache(tiny.n_layer, prefix && { batch: 1, entries: prefix })
      const step = (part: ReadonlyArray<number>) =>
        tf.tidy(() => loaded.model.forward({ embeds: loaded.model.embed(single(part)), cache }).arraySync()[0] as number[][])
      const stepped = [...step(ids.slice(0, 3)), ...ids.slice(3).flatMap((id) => step([id]))]
      expect(cache.length).toBe(ids.length + (prefix ? 3 : 0))
      expect(maxAbsDiff(stepped, full)).toBeLessThan(1e-5)
      cache.dispose()
      if (prefix) disposePrefix(prefix)
    }
  })

  it("generates the same tokens with the cache as without, left-padded and with a prefix, each row as alone, leaking nothing", async () => {
    const prompts = [[3, 7, 33, 4, 39], [5, 18], [8, 30, 9, 12]]
    const generate = async (rows: ReadonlyArray<ReadonlyArray<number>>, useCache: boolean, prefix?: ReadonlyArray<KeyValue>) => {
      const { ids, mask } = padBatch(rows, "left")
      const embeds = loaded.model.embed(ids)
      const out = await generateCausal(loaded.model, { embeds, attentionMask: mask, prefix }, { maxNewTokens: 6, useCache, eosTokenIds: [] })
      tf.dispose([ids, mask, embeds])
      return out
    }
    const before = tf.memory().numTensors
    const cached = await generate(prompts, true)
    expect(await generate(prompts, false)).toEqual(cached)
    for (const [i, prompt] of prompts.entries()) expect(await generate([prompt], true)).toEqual([cached[i]])
    const prefix = prefixTensors(randomPrefix(2, 8), prompts.length)
    const withPrefix = await generate(prompts, true, prefix)
    expect(await generate(prompts, false, prefix)).toEqual(withPrefix)
    expect(withPrefix).not.toEqual(cached)
    disposePrefix(prefix)
    expect(tf.memory().numTensors).toBe(before)
  })

  it("exposes each Conv1D as a Linear with an [out, in] weight: x Wᵀ + b from weight and bias alone reproduces the logits", () => {
    const input = single(sequences[1] as number[])
    const original = logitsOf(loaded.model, { ids: input })
    const names = [0, 1].flatMap((l) => ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"].map((m) => `transformer.h.${l}.${m}`))
    expect([...loaded.model.linears.keys()].sort()).toEqual([...names, "lm_head"].sort())
    const cAttn = loaded.model.linears.get("transformer.h.0.attn.c_attn") as Linear
    expect(cAttn.shape).toEqual([36, 12])
    expect(cAttn.storedTransposed).toBe(true)
    expect(cAttn.bias).toBe(loaded.model.parameters.get("transformer.h.0.attn.c_attn.bias"))
    const cAttnWeight = cAttn.readWeight()
    expect(maxAbsDiff(cAttnWeight.arraySync(), (loaded.model.parameters.get("transformer.h.0.attn.c_attn.weight") as tf.Tensor2D).transpose().arraySync() as number[][])).toBe(0)
    cAttnWeight.dispose()
    // What LoRA does with a module: use its [out, in] weight and bias as nn.Linear would.
    const asNnLinear = (m: Linear): Linear => ({ ...m, apply: (x) => tf.tidy(() => tf.matMul(x.reshape([-1, m.shape[1]]), m.readWeight(), false, true).add(m.bias ?? 0).reshape([...x.shape.slice(0, -1), m.shape[0]])) })
    const own = names.map((name) => loaded.model.linears.get(name) as Linear)
    for (const m of own) loaded.model.linears.set(m.name, asNnLinear(m))
    const rebuilt = logitsOf(loaded.model, { ids: input })
    const head = loaded.model.linears.get("lm_head") as Linear
    loaded.model.linears.set("lm_head", { ...head, apply: (x) => tf.tidy(() => head.apply(x).mul(2)) })
    const doubled = logitsOf(loaded.model, { ids: input })
    for (const m of [...own, head]) loaded.model.linears.set(m.name, m)
    expect(maxAbsDiff(rebuilt[0] as number[][], original[0] as number[][])).toBeLessThan(1e-5)
    expect(maxAbsDiff(doubled[0] as number[][], (original[0] as number[][]).map((row) => row.map((v) => 2 * v)))).toBeLessThan(1e-5)
    input.dispose()
  })

  it("is differentiable in the input embeddings (prompt tuning), matching float64 finite differences", () => {
    const ids = sequences[1] as number[]
    const coefficients = ids.map((_, t) => Array.from({ length: tiny.vocab_size }, (_, v) => Math.sin(1 + 7 * t + v)))
    const embeds = tf.tidy(() => loaded.model.embed(single(ids)))
    const gradient = tf.tidy(() =>
      tf.grad((e: tf.Tensor) => loaded.model.forward({ embeds: e as tf.Tensor3D }).squeeze([0]).mul(tf.tensor2d(coefficients)).sum())(embeds).arraySync(),
    ) as number[][][]
    embeds.dispose()
    const loss = (rows: number[][]) => naiveGpt2Logits(tiny, loaded.weights, rows).reduce((s, row, t) => s + row.reduce((a, v, j) => a + v * (coefficients[t]?.[j] as number), 0), 0)
    const rows = tokenRows(loaded.weights, ids)
    const h = 1e-5
    for (const [t, i] of [[0, 0], [2, 5], [4, 11]] as const) {
      const shifted = (delta: number) => rows.map((r, rt) => r.map((v, c) => (rt === t && c === i ? v + delta : v)))
      const numeric = (loss(shifted(h)) - loss(shifted(-h))) / (2 * h)
      expect(Math.abs((gradient[0]?.[t]?.[i] as number) - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)))
    }
  })

  it("rejects more positions than n_positions (prefix included), a prefix of another batch size, and a prefix beside a cache", () => {
    const prefix = prefixTensors(randomPrefix(10, 9), 1)
    const ids = single(sequences[0] as number[])
    const pair = tf.tensor2d([sequences[1] as number[], sequences[1] as number[]], undefined, "int32")
    const cache = createKeyValueCache(tiny.n_layer)
    expect(() => logitsOf(loaded.model, { ids, prefix })).toThrow("embeds: 18 positions (prefix included) exceed n_positions 16")
    expect(() => logitsOf(loaded.model, { ids: pair, prefix })).toThrow("prefix[0].key: expected shape [2, 3, 10, 4], got [1, 3, 10, 4]")
    expect(() => tf.tidy(() => loaded.model.forward({ embeds: loaded.model.embed(ids), prefix, cache }))).toThrow("give a prefix or a cache")
    tf.dispose([ids, pair])
    cache.dispose()
    disposePrefix(prefix)
  })
})

describe("GPT-2 checkpoint files", () => {
  const rewrite = (dir: string, tensors: Map<string, Float32Tensor>) => Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), tensors))
  const loadError = async (dir: string) => Effect.runPromise(Effect.flip(loadCausalLM(dir)))

  it("loads GPT2Model names (no \"transformer.\" prefix) beside attn.bias / attn.masked_bias buffers and a saved copy of the tied head", async () => {
    await cpu.setup()
    const { dir, weights } = await writeTiny(tiedJson, 3)
    const model = await Effect.runPromise(loadCausalLM(dir))
    const input = single(sequences[0] as number[])
    const expected = logitsOf(model, { ids: input })
    model.dispose()
    const legacy = new Map([...weights].map(([name, t]) => [name.replace(/^transformer\./, ""), t]))
    const causalMask = { shape: [1, 1, 16, 16], data: new Float32Array(256).fill(1) }
    legacy.set("h.0.attn.bias", causalMask).set("h.1.attn.bias", causalMask).set("h.0.attn.masked_bias", { shape: [], data: Float32Array.of(-1e4) })
    legacy.set("lm_head.weight", weights.get("transformer.wte.weight") as Float32Tensor)
    await rewrite(dir, legacy)
    const reloaded = await Effect.runPromise(loadCausalLM(dir))
    expect([...reloaded.parameters.keys()]).toEqual([...weights.keys()])
    expect(maxAbsDiff(logitsOf(reloaded, { ids: input })[0] as number[][], expected[0] as number[][])).toBe(0)
    reloaded.dispose()
    input.dispose()
    rmSync(dir, { recursive: true })
  })

  it.each([
    [{ scale_attn_by_inverse_layer_idx: true }, 'field "scale_attn_by_inverse_layer_idx"'],
    [{ reorder_and_upcast_attn: true }, 'field "reorder_and_upcast_attn"'],
    [{ activation_function: "relu" }, 'field "activation_function"'],
    [{ n_head: 5 }, 'field "n_head": 5 does not divide n_embd 12'],
  ])("fails with a ModelFileError naming config.json's field for %o", async (change, named) => {
    const { dir } = await writeTiny(tiedJson)
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...tiedJson, ...change }))
    const error = await loadError(dir)
    expect(error).toMatchObject({ _tag: "ModelFileError", source: join(dir, "config.json") })
    expect(error.detail).toContain(named)
    rmSync(dir, { recursive: true })
  })

  it("names a missing tensor, and a Conv1D weight whose shape disagrees with config.json", async () => {
    const { dir, weights } = await writeTiny(tiedJson)
    weights.delete("transformer.h.1.mlp.c_fc.bias")
    await rewrite(dir, weights)
    expect(await loadError(dir)).toMatchObject({ source: join(dir, "model.safetensors"), detail: 'missing tensor "transformer.h.1.mlp.c_fc.bias"' })
    const misshapen = await writeTiny(tiedJson)
    writeFileSync(join(misshapen.dir, "config.json"), JSON.stringify({ ...tiedJson, n_inner: 64 }))
    expect((await loadError(misshapen.dir)).detail).toBe('tensor "transformer.h.0.mlp.c_fc.weight" has shape [12, 48], but config.json implies [12, 64]')
    rmSync(dir, { recursive: true })
    rmSync(misshapen.dir, { recursive: true })
  })
})

describe("GPT-2 on the wasm backend", () => {
  const loaded = useTinyModel(untiedJson, 4, wasm)

  it("matches the float64 forward on a left-padded batch", () => {
    const { ids, mask } = padBatch(sequences, "left")
    const logits = logitsOf(loaded.model, { ids, mask })
    sequences.forEach((seq, b) => {
      const rows = logits[b] as number[][]
      expect(maxAbsDiff(rows.slice(rows.length - seq.length), naiveGpt2Logits(decode(untiedJson), loaded.weights, tokenRows(loaded.weights, seq)))).toBeLessThan(1e-3)
    })
    tf.dispose([ids, mask])
  })
})
