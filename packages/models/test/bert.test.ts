// BERT (HF BertModel) on a tiny random checkpoint: parameters and names, padded batches, prefix
// keys and values against the float64 reference forward (naiveBert), linears, gradients,
// checkpoint files (their alternative names give the reference's states) and the wasm backend
// against the reference. The plain forward pass (hidden states and pooler, each activation, with
// and without token types) is checked against transformers itself in transformers-goldens.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { naiveBert } from "@peftlab/references"
import { loadCausalLM, loadEncoder, writeRandomCheckpoint, writeSafetensors, type EncoderModel, type Float32Tensor, type KeyValue } from "../src/index.ts"
import { maxAbsDiff, padBatch } from "./batch-helpers.ts"
import { disposePrefix, embedRows, naivePrefix, randomPrefix, tinyBert, tinyBertJson, writeTinyBert } from "./bert-fixtures.ts"

const sequences = [
  { ids: [2, 7, 33, 4, 39, 12, 0, 3], types: [0, 0, 0, 0, 1, 1, 1, 2] },
  { ids: [2, 18, 5, 30, 3], types: [0, 0, 1, 1, 1] },
]

interface Run {
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
  readonly types?: ReadonlyArray<ReadonlyArray<number>>
  readonly mask?: tf.Tensor2D
  readonly prefix?: ReadonlyArray<KeyValue>
}
/** Hidden states and pooled output of a batch, as arrays. */
const encodeArrays = (model: EncoderModel, { ids, types, mask, prefix }: Run) =>
  tf.tidy(() => {
    const tokenTypeIds = types && tf.tensor2d(types.map((r) => [...r]), undefined, "int32")
    const hidden = model.encode({ embeds: model.embed(tf.tensor2d(ids.map((r) => [...r]), undefined, "int32")), attentionMask: mask, tokenTypeIds, prefix })
    return { hidden: hidden.arraySync(), pooled: model.pool(hidden).arraySync() }
  })
const padRows = (rows: ReadonlyArray<ReadonlyArray<number>>, fill: number) => {
  const time = Math.max(...rows.map((r) => r.length))
  return rows.map((r) => [...r, ...Array<number>(time - r.length).fill(fill)])
}

/** A right-padded batch with token types and a prefix: each row's states and pooled output are those of the float64 forward of the row alone with that prefix. */
const expectPrefixedBatchToMatch = (model: EncoderModel, weights: Map<string, Float32Tensor>, tolerance: number) => {
  const ids = sequences.map((s) => s.ids)
  const { ids: padded, mask } = padBatch(ids, "right")
  const prefix = randomPrefix(tinyBert, 2, 3, 11)
  const ours = encodeArrays(model, { ids: padRows(ids, 0), types: padRows(sequences.map((s) => s.types), 0), mask, prefix })
  sequences.forEach(({ ids: seq, types }, row) => {
    const reference = naiveBert(tinyBert, weights, { embeds: embedRows(weights, seq), tokenTypes: types, prefix: naivePrefix(prefix) })
    expect(maxAbsDiff(ours.hidden[row]!.slice(0, seq.length), reference.hidden)).toBeLessThan(tolerance)
    expect(maxAbsDiff([ours.pooled[row]!], [reference.pooled!])).toBeLessThan(tolerance)
    // The prefix matters: without it the states are far from these.
    const without = naiveBert(tinyBert, weights, { embeds: embedRows(weights, seq), tokenTypes: types })
    expect(maxAbsDiff(reference.hidden, without.hidden)).toBeGreaterThan(0.05)
  })
  tf.dispose([padded, mask])
  disposePrefix(prefix)
}

beforeAll(() => cpu.setup())

describe("BERT on a random checkpoint (cpu)", () => {
  let model: EncoderModel
  let weights: Map<string, Float32Tensor>
  let dir: string
  beforeAll(async () => {
    ;({ dir, weights } = await writeTinyBert())
    model = await Effect.runPromise(loadEncoder(dir))
  })
  afterAll(() => {
    model.dispose()
    rmSync(dir, { recursive: true })
  })

  it("fills BertConfig's defaults and holds the hand-counted parameters, linears under PEFT's names, Llama-named dims", () => {
    expect([tinyBert.hidden_act, tinyBert.layer_norm_eps, tinyBert.initializer_range, tinyBert.head_dim, tinyBert.num_labels]).toEqual(["gelu", 1e-12, 0.02, 4, 2])
    // embeddings 40*12 + 16*12 + 3*12 + 24; per layer 4*(144+12) + 24 + (240+20) + (240+12) + 24; pooler 156
    expect(model.parameterCount()).toBe(732 + 2 * 1184 + 156)
    expect(model.dims).toMatchObject({ hidden_size: 12, num_hidden_layers: 2, num_attention_heads: 3, num_key_value_heads: 3, head_dim: 4, vocab_size: 40 })
    expect([...model.linears.keys()].filter((name) => name.endsWith(".query") || name.endsWith(".value"))).toEqual([
      "bert.encoder.layer.0.attention.self.query",
      "bert.encoder.layer.0.attention.self.value",
      "bert.encoder.layer.1.attention.self.query",
      "bert.encoder.layer.1.attention.self.value",
    ])
    expect(model.linears.size).toBe(2 * 6 + 1)
    expect(model.linears.get("bert.pooler.dense")?.bias?.shape).toEqual([12])
  })

  it("gives a right-padded batch each row's unpadded states at its real positions, whatever the pad id", () => {
    const ids = sequences.map((s) => s.ids)
    const types = padRows(sequences.map((s) => s.types), 0)
    const { ids: padded, mask } = padBatch(ids, "right")
    const [a, b] = [encodeArrays(model, { ids: padRows(ids, 0), types, mask }), encodeArrays(model, { ids: padRows(ids, 17), types, mask })]
    sequences.forEach((seq, row) => {
      const alone = encodeArrays(model, { ids: [seq.ids], types: [seq.types] })
      expect(maxAbsDiff(a.hidden[row]!.slice(0, seq.ids.length), alone.hidden[0]!)).toBeLessThan(1e-5)
      expect(maxAbsDiff(b.hidden[row]!.slice(0, seq.ids.length), alone.hidden[0]!)).toBeLessThan(1e-5)
    })
    expect(maxAbsDiff(a.pooled, b.pooled)).toBeLessThan(1e-5)
    expect(a.hidden.flat(2).every(Number.isFinite)).toBe(true)
    tf.dispose([padded, mask])
  })

  it("with a prefix, matches the float64 forward that attends to it unmasked and starts positions after it (HF past_key_values_length)", () => {
    expectPrefixedBatchToMatch(model, weights, 1e-4)
  })

  it("with `layers`, runs only the first layers: the float64 forward of a model cut to that many (0: the embeddings)", () => {
    const { ids, types } = sequences[0]!
    const cut = (layers: number) =>
      tf.tidy(() => model.encode({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")), tokenTypeIds: tf.tensor2d([types], undefined, "int32"), layers }).arraySync()[0]!)
    for (const layers of [0, 1]) {
      const reference = naiveBert({ ...tinyBert, num_hidden_layers: layers }, weights, { embeds: embedRows(weights, ids), tokenTypes: types })
      expect(maxAbsDiff(cut(layers), reference.hidden)).toBeLessThan(1e-4)
    }
    expect(cut(2)).toEqual(encodeArrays(model, { ids: [ids], types: [types] }).hidden[0])
    expect(() => cut(3)).toThrow("layers: expected an integer from 0 to 2, got 3")
  })

  it("rejects a prefix of the wrong shape, more positions than max_position_embeddings (prefix included), and misshapen token types", () => {
    const embeds = model.embed(tf.tensor2d([sequences[0]!.ids], undefined, "int32"))
    const twoRows = randomPrefix(tinyBert, 2, 3, 1)
    const long = randomPrefix(tinyBert, 1, 9, 1)
    const types = tf.zeros([1, 3], "int32") as tf.Tensor2D
    expect(() => model.encode({ embeds, prefix: twoRows })).toThrow("prefix[0].key: expected shape [1, 3, 3, 4], got [2, 3, 3, 4]")
    expect(() => model.encode({ embeds, prefix: long })).toThrow("embeds: 17 positions (prefix included) exceed max_position_embeddings 16")
    expect(() => model.encode({ embeds, tokenTypeIds: types })).toThrow("tokenTypeIds: expected shape [1, 8], got [1, 3]")
    tf.dispose([embeds, types])
    disposePrefix(twoRows)
    disposePrefix(long)
  })

  it("looks linear modules up by HF name on every call, so an adapter can replace one", () => {
    const name = "bert.encoder.layer.1.attention.self.value"
    const original = model.linears.get(name)!
    const run = () => encodeArrays(model, { ids: [sequences[1]!.ids] }).hidden[0]!
    const before = run()
    model.linears.set(name, { ...original, apply: (x) => tf.tidy(() => original.apply(x).mul(3)) })
    const changed = run()
    model.linears.set(name, original)
    expect(maxAbsDiff(changed, before)).toBeGreaterThan(0.05)
    expect(maxAbsDiff(run(), before)).toBe(0)
  })

  it("leaks no tensor through encode, pool and their gradient in the input embeddings", () => {
    const ids = tf.tensor2d([sequences[0]!.ids], undefined, "int32")
    const before = tf.memory().numTensors
    const { value, grad } = tf.tidy(() => {
      const embeds = model.embed(ids)
      return tf.valueAndGrad((x: tf.Tensor) => model.pool(model.encode({ embeds: x as tf.Tensor3D })).sum() as tf.Scalar)(embeds)
    })
    expect(grad.shape).toEqual([1, 8, 12])
    expect(tf.tidy(() => tf.max(tf.abs(grad)).arraySync())).toBeGreaterThan(0)
    tf.dispose([value, grad])
    expect(tf.memory().numTensors).toBe(before)
    ids.dispose()
  })
})

describe("BERT checkpoint files", () => {
  const ids = sequences[0]!.ids
  /** The tiny checkpoint rewritten with these tensors. */
  const rewrite = async (edit: (weights: Map<string, Float32Tensor>) => Map<string, Float32Tensor>) => {
    const { dir, weights } = await writeTinyBert()
    await Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), edit(new Map(weights))))
    return { dir, weights }
  }

  it("loads BertModel names (no \"bert.\" prefix, old LayerNorm gamma/beta) beside cls.* tensors and the position_ids buffer", async () => {
    const { dir, weights } = await rewrite((w) => {
      const renamed = new Map([...w].map(([name, t]) => [name.replace(/^bert\./, "").replace(/LayerNorm\.weight$/, "LayerNorm.gamma").replace(/LayerNorm\.bias$/, "LayerNorm.beta"), t]))
      renamed.set("embeddings.position_ids", { shape: [1, 16], data: Float32Array.from({ length: 16 }, (_, i) => i) })
      renamed.set("cls.predictions.bias", { shape: [40], data: new Float32Array(40) })
      return renamed
    })
    const model = await Effect.runPromise(loadEncoder(dir))
    expect([...model.parameters.keys()].every((name) => name.startsWith("bert."))).toBe(true)
    const reference = naiveBert(tinyBert, weights, { embeds: embedRows(weights, ids) })
    expect(maxAbsDiff(encodeArrays(model, { ids: [ids] }).hidden[0]!, reference.hidden)).toBeLessThan(1e-4)
    model.dispose()
  })

  it("loads a checkpoint without the pooler (add_pooling_layer=False): encode works, pool says why it cannot", async () => {
    const { dir, weights } = await rewrite((w) => new Map([...w].filter(([name]) => !name.startsWith("bert.pooler."))))
    const model = await Effect.runPromise(loadEncoder(dir))
    expect(model.linears.has("bert.pooler.dense")).toBe(false)
    const hidden = tf.tidy(() => model.encode({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")) }))
    expect(maxAbsDiff(hidden.arraySync()[0]!, naiveBert(tinyBert, weights, { embeds: embedRows(weights, ids) }).hidden)).toBeLessThan(1e-4)
    expect(() => model.pool(hidden)).toThrow('pool: this checkpoint has no pooler (no "bert.pooler.dense.weight"/".bias": saved with add_pooling_layer=False)')
    hidden.dispose()
    model.dispose()
  })

  it("leaves the pooler out when asked (as BertForQuestionAnswering builds BERT), freeing its tensors, with the same hidden states", async () => {
    const { dir } = await writeTinyBert()
    const whole = await Effect.runPromise(loadEncoder(dir))
    const before = tf.memory().numTensors
    const headless = await Effect.runPromise(loadEncoder(dir, { withoutOptional: true }))
    expect([whole.hasPooler, headless.hasPooler]).toEqual([true, false])
    // Every tensor but the pooler's weight and bias, and no more alive than that.
    expect([...whole.parameters.keys()].filter((name) => !headless.parameters.has(name))).toEqual(["bert.pooler.dense.weight", "bert.pooler.dense.bias"])
    const hidden = (model: EncoderModel) => tf.tidy(() => model.encode({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")) }).arraySync())
    expect(hidden(headless)).toEqual(hidden(whole))
    // The pooler's tensors were read, then freed with nothing else left behind.
    headless.dispose()
    expect(tf.memory().numTensors).toBe(before)
    whole.dispose()
  })

  it("names a missing tensor and a tensor whose shape disagrees with config.json", async () => {
    const missing = await rewrite((w) => {
      w.delete("bert.encoder.layer.1.output.dense.bias")
      return w
    })
    expect(await Effect.runPromise(Effect.flip(loadEncoder(missing.dir)))).toMatchObject({
      _tag: "ModelFileError",
      source: join(missing.dir, "model.safetensors"),
      detail: 'missing tensor "bert.encoder.layer.1.output.dense.bias"',
    })
    const misshapen = await writeTinyBert()
    writeFileSync(join(misshapen.dir, "config.json"), JSON.stringify({ ...tinyBertJson, intermediate_size: 24 }))
    expect((await Effect.runPromise(Effect.flip(loadEncoder(misshapen.dir)))).detail).toBe(
      'tensor "bert.encoder.layer.0.intermediate.dense.weight" has shape [20, 12], but config.json implies [24, 12]',
    )
  })

  it("rejects config options it does not implement, naming the field, and is not a causal LM", async () => {
    const { dir } = await writeTinyBert()
    const withConfig = (fields: Record<string, unknown>) => {
      writeFileSync(join(dir, "config.json"), JSON.stringify({ ...tinyBertJson, ...fields }))
      return Effect.runPromise(Effect.flip(loadEncoder(dir)))
    }
    expect((await withConfig({ position_embedding_type: "relative_key" })).detail).toMatch(/^field "position_embedding_type": .*got "relative_key"$/)
    expect((await withConfig({ hidden_act: "silu" })).detail).toMatch(/^field "hidden_act": .*got "silu"$/)
    expect((await withConfig({ is_decoder: true })).detail).toMatch(/^field "is_decoder": .*got true$/)
    expect((await withConfig({ num_attention_heads: 5 })).detail).toBe('field "num_attention_heads": 5 does not divide hidden_size 12')
    writeFileSync(join(dir, "config.json"), JSON.stringify(tinyBertJson))
    expect((await Effect.runPromise(Effect.flip(loadCausalLM(dir)))).detail).toMatch(/^expected a decoder-only language model, but "bert" is an? encoder model$/)
  })
})

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the bert-tiny shape test: PEFTLAB_MODELS unset")

describe.skipIf(!models)("a random checkpoint of bert-tiny's real shape", () => {
  it("loads from its config.json and runs one forward", async () => {
    const configPath = join(models ?? "", "bert-tiny", "config.json")
    expect(existsSync(configPath)).toBe(true)
    const json = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>
    const dir = mkdtempSync(join(tmpdir(), "peftlab-bert-tiny-"))
    await Effect.runPromise(writeRandomCheckpoint(dir, json, 3))
    const model = await Effect.runPromise(loadEncoder(dir))
    // 30522*128 + 512*128 + 2*128 + 256, two layers of 198272, pooler 16512: bert-tiny's 4.39M.
    expect(model.parameterCount()).toBe(3_972_864 + 2 * 198_272 + 16_512)
    const { hidden, pooled } = encodeArrays(model, { ids: [[101, 7592, 1010, 2088, 999, 102]], types: [[0, 0, 0, 1, 1, 1]] })
    expect([hidden[0]!.length, hidden[0]![0]!.length, pooled[0]!.length]).toEqual([6, 128, 128])
    expect([...hidden.flat(2), ...pooled.flat()].every(Number.isFinite)).toBe(true)
    model.dispose()
    rmSync(dir, { recursive: true })
  })
})

describe("BERT on the wasm backend", () => {
  it("matches the float64 forward on a right-padded batch with a prefix and token types (tolerance 1e-3)", async () => {
    await wasm.setup()
    const { dir, weights } = await writeTinyBert()
    const model = await Effect.runPromise(loadEncoder(dir))
    expectPrefixedBatchToMatch(model, weights, 1e-3)
    model.dispose()
    rmSync(dir, { recursive: true })
  })
})
