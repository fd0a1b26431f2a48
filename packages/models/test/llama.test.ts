// Llama (HF LlamaForCausalLM) on a tiny random checkpoint: prefix keys and values against the
// float64 reference forward that prepends them (naiveLlamaLogits), padding, gradients in the input
// embeddings, swappable linears and load errors. The plain forward pass, loss and generation are
// checked against transformers itself in transformers-goldens.test.ts.
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embeddingRows, naiveLlamaLogits, type NaivePrefix, type Weights } from "@peftlab/references"
import { loadCausalLM, type CausalLM, type Linear } from "../src/index.ts"
import { Rng } from "@peftlab/core"
import { tinyConfig, tinyLlama, writeRandomCheckpoint } from "./random-checkpoint.ts"

const sequences = [
  [1, 7, 33, 4, 49, 12, 0, 25],
  [1, 18, 2, 40, 9],
]

/** Rows of the embedding table, as the naive reference's input. */
const embedRows = (weights: Weights, ids: ReadonlyArray<number>): number[][] => embeddingRows(weights, "model.embed_tokens.weight", ids)

const maxAbsDiff = (a: number[][], b: number[][]): number =>
  Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - (b[i]?.[j] ?? Number.NaN))))))

/** Right-padded ids and the matching attention mask. */
const padRight = (rows: ReadonlyArray<ReadonlyArray<number>>) => {
  const time = Math.max(...rows.map((r) => r.length))
  return {
    ids: tf.tensor2d(rows.map((r) => [...r, ...Array(time - r.length).fill(0)]), undefined, "int32"),
    mask: tf.tensor2d(rows.map((r) => r.map(() => 1).concat(Array(time - r.length).fill(0))), undefined, "int32"),
  }
}

/** A random prefix for every layer, [kvHead][virtual][headDim] each, at the scale of the tiny model's keys. */
const randomPrefix = (virtual: number, seed: number): NaivePrefix[] => {
  const rng = Rng.seeded(seed)
  const block = () =>
    Array.from({ length: tinyConfig.num_key_value_heads }, () => Array.from({ length: virtual }, () => Array.from({ length: tinyConfig.head_dim }, () => rng.normal())))
  return Array.from({ length: tinyConfig.num_hidden_layers }, () => ({ key: block(), value: block() }))
}

/** The prefix as forward takes it, repeated over `batch` rows. */
const prefixTensors = (prefix: ReadonlyArray<NaivePrefix>, batch: number) =>
  prefix.map(({ key, value }) => ({
    key: tf.tensor4d([key as number[][][]]).tile([batch, 1, 1, 1]) as tf.Tensor4D,
    value: tf.tensor4d([value as number[][][]]).tile([batch, 1, 1, 1]) as tf.Tensor4D,
  }))

describe("Llama on a random untied checkpoint (cpu)", () => {
  let model: CausalLM
  let weights: Weights
  let dir: string
  beforeAll(async () => {
    await cpu.setup()
    const checkpoint = await writeRandomCheckpoint()
    dir = checkpoint.dir
    weights = checkpoint.weights
    model = await Effect.runPromise(loadCausalLM(dir))
  })
  afterAll(() => {
    model.dispose()
    rmSync(dir, { recursive: true })
  })

  it("with a prefix, matches the float64 forward that prepends it as cached keys and values and shifts positions", () => {
    const prefix = randomPrefix(3, 5)
    const tensors = prefixTensors(prefix, 1)
    for (const ids of sequences) {
      const logits = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")), prefix: tensors }).arraySync()[0] as number[][])
      const reference = naiveLlamaLogits(tinyLlama, weights, embedRows(weights, ids), prefix)
      expect(maxAbsDiff(logits, reference)).toBeLessThan(1e-4)
      // The prefix matters: without it the logits are far from these.
      expect(maxAbsDiff(reference, naiveLlamaLogits(tinyLlama, weights, embedRows(weights, ids)))).toBeGreaterThan(0.1)
    }
    tf.dispose(tensors.flatMap(({ key, value }) => [key, value]))
  })

  it("with a prefix, gives a right-padded batch each sequence's own logits (the mask is extended over the prefix)", () => {
    const prefix = randomPrefix(2, 6)
    const { ids, mask } = padRight(sequences)
    const [batched, alone] = [prefixTensors(prefix, 2), prefixTensors(prefix, 1)]
    const logits = tf.tidy(() => model.forward({ embeds: model.embed(ids), attentionMask: mask, prefix: batched }).arraySync())
    sequences.forEach((seq, b) => {
      const reference = naiveLlamaLogits(tinyLlama, weights, embedRows(weights, seq), prefix)
      expect(maxAbsDiff((logits[b] as number[][]).slice(0, seq.length), reference)).toBeLessThan(1e-4)
    })
    expect(() => model.forward({ embeds: model.embed(ids), prefix: alone })).toThrow(
      "prefix[0].key: expected shape [2, 2, 2, 6], got [1, 2, 2, 6]",
    )
    tf.dispose([ids, mask, ...[...batched, ...alone].flatMap(({ key, value }) => [key, value])])
  })

  it("gives a right-padded batch the logits of each unpadded sequence at its real positions", () => {
    const { ids, mask } = padRight(sequences)
    const batched = tf.tidy(() => model.forward({ embeds: model.embed(ids), attentionMask: mask }).arraySync())
    sequences.forEach((seq, b) => {
      const alone = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([seq], undefined, "int32")) }).arraySync()[0] as number[][])
      expect(maxAbsDiff((batched[b] as number[][]).slice(0, seq.length), alone)).toBeLessThan(1e-5)
    })
    tf.dispose([ids, mask])
  })

  it("masks padding keys: with left padding, the pad tokens change no real position, and nothing is NaN", () => {
    // Right padding alone cannot show this (causality already hides later keys), so pad on the left.
    const mask = tf.tensor2d([[0, 0, 1, 1, 1]], undefined, "float32")
    const run = (pad: number) =>
      tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([[pad, pad, 1, 5, 9]], undefined, "int32")), attentionMask: mask }).arraySync()[0] as number[][])
    const [a, b] = [run(3), run(44)]
    expect(maxAbsDiff(a.slice(2), b.slice(2))).toBe(0)
    expect(a.flat().every(Number.isFinite)).toBe(true)
    mask.dispose()
  })

  it("is differentiable in the input embeddings, matching float64 finite differences, and leaks nothing", () => {
    const ids = sequences[1] as number[]
    // loss = sum of logits weighted by fixed coefficients, so every output contributes.
    const coefficients = Array.from({ length: ids.length }, (_, t) => Array.from({ length: tinyConfig.vocab_size }, (_, v) => Math.sin(1 + t * 7 + v)))
    const embeds = tf.variable(tf.tidy(() => model.embed(tf.tensor2d([ids], undefined, "int32"))))
    const before = tf.memory().numTensors
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => model.forward({ embeds: embeds as unknown as tf.Tensor3D }).squeeze([0]).mul(tf.tensor2d(coefficients)).sum() as tf.Scalar),
    )
    const gradient = (grads[embeds.name] as tf.Tensor).arraySync() as number[][][]
    tf.dispose([value, ...Object.values(grads)])
    expect(tf.memory().numTensors).toBe(before)
    embeds.dispose()

    const loss = (rows: number[][]) =>
      naiveLlamaLogits(tinyLlama, weights, rows).reduce((s, row, t) => s + row.reduce((a, v, j) => a + v * (coefficients[t]?.[j] as number), 0), 0)
    const rows = embedRows(weights, ids)
    const h = 1e-5
    for (const [t, i] of [[0, 0], [2, 5], [4, 23], [3, 11]] as const) {
      const shifted = (delta: number) => rows.map((row, r) => row.map((v, c) => (r === t && c === i ? v + delta : v)))
      const numeric = (loss(shifted(h)) - loss(shifted(-h))) / (2 * h)
      expect(Math.abs((gradient[0]?.[t]?.[i] as number) - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)))
    }
  })

  it("looks linear modules up by HF name on every forward, so an adapter can replace them", () => {
    const ids = tf.tensor2d([sequences[1] as number[]], undefined, "int32")
    const logits = () => tf.tidy(() => model.forward({ embeds: model.embed(ids) }).arraySync())
    const original = logits()
    const head = model.linears.get("lm_head") as Linear
    expect(head.shape).toEqual([tinyConfig.vocab_size, tinyConfig.hidden_size])
    expect(model.linears.get("model.layers.1.self_attn.k_proj")?.shape).toEqual([12, 24])
    model.linears.set("lm_head", { ...head, apply: (x) => tf.tidy(() => head.apply(x).mul(2)) })
    const doubled = logits()
    model.linears.set("lm_head", head)
    expect(maxAbsDiff(doubled[0] as number[][], (original[0] as number[][]).map((row) => row.map((v) => 2 * v)))).toBeLessThan(1e-5)
    ids.dispose()
  })
})

describe("loadCausalLM errors", () => {
  it("names the folder when it has neither model.safetensors nor a sharded index", async () => {
    const { dir } = await writeRandomCheckpoint()
    rmSync(join(dir, "model.safetensors"))
    const error = await Effect.runPromise(Effect.flip(loadCausalLM(dir)))
    expect(error).toMatchObject({ _tag: "ModelFileError", source: dir, detail: "no model.safetensors or model.safetensors.index.json (safetensors weights, in one file or sharded)" })
  })

  it("names a missing tensor, and a tensor whose shape disagrees with config.json", async () => {
    const missing = await writeRandomCheckpoint({ omit: "model.layers.1.mlp.up_proj.weight" })
    expect(await Effect.runPromise(Effect.flip(loadCausalLM(missing.dir)))).toMatchObject({
      source: join(missing.dir, "model.safetensors"),
      detail: 'missing tensor "model.layers.1.mlp.up_proj.weight"',
    })
    const misshapen = await writeRandomCheckpoint()
    writeFileSync(join(misshapen.dir, "config.json"), JSON.stringify({ ...tinyConfig, intermediate_size: 48 }))
    expect((await Effect.runPromise(Effect.flip(loadCausalLM(misshapen.dir)))).detail).toBe(
      'tensor "model.layers.0.mlp.gate_proj.weight" has shape [40, 24], but config.json implies [48, 24]',
    )
  })
})
