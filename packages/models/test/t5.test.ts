// T5 (HF T5ForConditionalGeneration) on tiny random checkpoints of T5 v1.0's and v1.1's forms:
// relative-position buckets and prefixes against the float64 reference (naiveBucket,
// naiveT5Encode / naiveT5Decode), padded batches, the decoder cache, swappable linears, gradients,
// the wasm backend against the reference, and checkpoint loading. The plain encoder and decoder
// passes, the loss and generation are checked against transformers itself in
// transformers-goldens.test.ts.
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Effect, Result } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { naiveBucket, naiveT5Decode, naiveT5Encode, sharedRows, type NaivePrefix } from "@peftlab/references"
import { architectureFor, loadCausalLM, loadSeq2SeqLM, writeSafetensors, type KeyValue, type Linear, type Seq2SeqLM } from "../src/index.ts"
import { relativePositionBucket } from "../src/t5/relative-position.ts"
import { maxAbsDiff, padBatch } from "./batch-helpers.ts"
import { decodeT5, disposePrefix, gatedJson, prefixTensors, randomPrefix, reluJson, useTinyT5, writeTinyT5 } from "./tiny-t5.ts"

// Sources reach relative distance 10 (the last bucket of gatedJson), targets start with the start id 0.
const sources = [
  [3, 7, 23, 4, 29, 12, 5, 25, 9, 14, 1],
  [5, 18, 2, 1],
]
const targets = [
  [0, 9, 14, 3, 27, 6],
  [0, 11, 4],
]

const single = (ids: ReadonlyArray<number>) => tf.tensor2d([[...ids]], undefined, "int32")
const rowsOf = (t: tf.Tensor3D): number[][][] => t.arraySync()

interface Run {
  readonly sourceIds: tf.Tensor2D
  readonly sourceMask?: tf.Tensor2D
  readonly targetIds: tf.Tensor2D
  readonly targetMask?: tf.Tensor2D
  readonly prefix?: { encoder?: KeyValue[]; decoder?: KeyValue[]; cross?: KeyValue[] }
}

/** Encoder output and decoder logits of one full forward. */
const run = (model: Seq2SeqLM, input: Run) =>
  tf.tidy(() => {
    const encoderHidden = model.encode({ embeds: model.embed(input.sourceIds), attentionMask: input.sourceMask, prefix: input.prefix?.encoder })
    const logits = model.decode({
      embeds: model.embed(input.targetIds),
      attentionMask: input.targetMask,
      encoderHidden,
      encoderMask: input.sourceMask,
      prefix: input.prefix && { decoder: input.prefix.decoder, cross: input.prefix.cross },
    })
    return { hidden: rowsOf(encoderHidden), logits: rowsOf(logits) }
  })

describe("relative position buckets", () => {
  it("match hand-computed buckets of T5's 32 buckets and max distance 128", () => {
    const options = (bidirectional: boolean) => ({ bidirectional, numBuckets: 32, maxDistance: 128 })
    // Bidirectional: 16 per direction (later keys from 16), exact below 8, then 8 + floor(log(d/8) / log(16) * 8) up to 15.
    const bidirectional = [[0, 0], [-1, 1], [-7, 7], [-8, 8], [-15, 9], [-16, 10], [-127, 15], [-500, 15], [1, 17], [16, 26], [300, 31]]
    for (const [relative, bucket] of bidirectional) expect(relativePositionBucket(relative!, options(true))).toBe(bucket)
    // Causal: later keys all in bucket 0, exact below 16, then 16 + floor(log(d/16) / log(8) * 16) up to 31.
    const causal = [[5, 0], [0, 0], [-15, 15], [-16, 16], [-32, 21], [-127, 31], [-128, 31]]
    for (const [relative, bucket] of causal) expect(relativePositionBucket(relative!, options(false))).toBe(bucket)
  })

  it("agree with the float64 reference for every offset of several bucket settings", () => {
    for (const [numBuckets, maxDistance] of [[32, 128], [8, 10], [6, 7]] as const) {
      for (const bidirectional of [true, false]) {
        for (let relative = -150; relative <= 150; relative++) {
          expect(relativePositionBucket(relative, { bidirectional, numBuckets, maxDistance })).toBe(naiveBucket(relative, bidirectional, numBuckets, maxDistance))
        }
      }
    }
  })
})

describe("T5 config", () => {
  it("fills transformers' defaults: relu, tied head, decoder layers = num_layers, eos 1, start = pad = 0, 128 max distance", () => {
    const { model_type: _, relative_attention_max_distance: __, ...json } = reluJson
    expect(decodeT5({ model_type: "t5", ...json })).toEqual({
      d_model: 8,
      d_kv: 4,
      d_ff: 16,
      num_layers: 2,
      num_decoder_layers: 2,
      num_heads: 2,
      relative_attention_num_buckets: 6,
      relative_attention_max_distance: 128,
      layer_norm_epsilon: 1e-6,
      feed_forward_proj: "relu",
      tie_word_embeddings: true,
      vocab_size: 30,
      pad_token_id: 0,
      eos_token_ids: [1],
      decoder_start_token_id: 0,
    })
  })

  it("rejects options it does not implement, naming the field", () => {
    const failure = (json: object) => {
      const decoded = architectureFor("t5")?.decodeConfig({ ...gatedJson, ...json })
      return decoded && Result.isFailure(decoded) ? decoded.failure : "decoded"
    }
    expect(failure({ feed_forward_proj: "gated-silu" })).toMatch(/^field "feed_forward_proj": .*got "gated-silu"$/)
    expect(failure({ dense_act_fn: "relu" })).toBe('field "dense_act_fn": feed_forward_proj "gated-gelu" implies "gelu_new", got "relu"')
    expect(failure({ relative_attention_num_buckets: 3 })).toBe('field "relative_attention_num_buckets": expected at least 4, got 3')
    expect(failure({ relative_attention_max_distance: 4 })).toBe('field "relative_attention_max_distance": expected more than relative_attention_num_buckets / 2 = 4, got 4')
    expect(failure({ d_kv: 0 })).toMatch(/^field "d_kv": /)
  })
})

describe.each([
  { name: "gated-gelu, untied head", json: gatedJson },
  { name: "relu, tied head", json: reluJson },
])("T5, $name, on a random checkpoint (cpu)", ({ json }) => {
  const config = decodeT5(json)
  const loaded = useTinyT5(json, cpu)
  const embeds = (ids: ReadonlyArray<number>) => sharedRows(config, loaded.weights, ids)
  const reference = (i: number, prefix?: { encoder?: NaivePrefix[]; decoder?: NaivePrefix[]; cross?: NaivePrefix[] }) => {
    const hidden = naiveT5Encode(config, loaded.weights, embeds(sources[i]!), prefix?.encoder)
    return { hidden, logits: naiveT5Decode(config, loaded.weights, embeds(targets[i]!), hidden, prefix) }
  }

  it("gives a padded batch (source left-padded, target right-padded) each pair's own outputs at real positions", () => {
    const source = padBatch(sources, "left")
    const target = padBatch(targets, "right")
    const { hidden, logits } = run(loaded.model, { sourceIds: source.ids, sourceMask: source.mask, targetIds: target.ids, targetMask: target.mask })
    const width = Math.max(...sources.map((s) => s.length))
    sources.forEach((s, i) => {
      const expected = reference(i)
      expect(maxAbsDiff(hidden[i]!.slice(width - s.length), expected.hidden)).toBeLessThan(1e-4)
      expect(maxAbsDiff(logits[i]!.slice(0, targets[i]!.length), expected.logits)).toBeLessThan(1e-4)
    })
    expect(logits.flat(2).every(Number.isFinite)).toBe(true)
    tf.dispose([source.ids, source.mask, target.ids, target.mask])
  })

  it("with encoder, decoder and cross-attention prefixes, matches the float64 forward that prepends them", () => {
    const naive = {
      encoder: randomPrefix(config, config.num_layers, 3, 5),
      decoder: randomPrefix(config, config.num_decoder_layers, 2, 6),
      cross: randomPrefix(config, config.num_decoder_layers, 4, 7),
    }
    const prefix = { encoder: prefixTensors(naive.encoder, 2), decoder: prefixTensors(naive.decoder, 2), cross: prefixTensors(naive.cross, 2) }
    const source = padBatch(sources, "right")
    const target = padBatch(targets, "right")
    const { hidden, logits } = run(loaded.model, { sourceIds: source.ids, sourceMask: source.mask, targetIds: target.ids, targetMask: target.mask, prefix })
    sources.forEach((s, i) => {
      const expected = reference(i, naive)
      expect(maxAbsDiff(hidden[i]!.slice(0, s.length), expected.hidden)).toBeLessThan(1e-4)
      expect(maxAbsDiff(logits[i]!.slice(0, targets[i]!.length), expected.logits)).toBeLessThan(1e-4)
      // Each prefix matters on its own.
      for (const stack of ["encoder", "decoder", "cross"] as const) {
        expect(maxAbsDiff(reference(i, { ...naive, [stack]: undefined }).logits, expected.logits)).toBeGreaterThan(0.01)
      }
    })
    const alone = prefixTensors(naive.cross, 1)
    expect(() => run(loaded.model, { sourceIds: source.ids, targetIds: target.ids, prefix: { cross: alone } })).toThrow(
      `prefix.cross[0].key: expected shape [2, ${config.num_heads}, 4, ${config.d_kv}], got [1, ${config.num_heads}, 4, ${config.d_kv}]`,
    )
    tf.dispose([source.ids, source.mask, target.ids, target.mask])
    Object.values(prefix).forEach(disposePrefix)
    disposePrefix(alone)
  })

  it.each([false, true])("decoding token by token with the cache gives the full decode's logits (prefix: %s), and leaks nothing", (withPrefix) => {
    const source = padBatch(sources, "right")
    const target = padBatch(targets, "right")
    const prefix = withPrefix
      ? { decoder: prefixTensors(randomPrefix(config, config.num_decoder_layers, 2, 8), 2), cross: prefixTensors(randomPrefix(config, config.num_decoder_layers, 3, 9), 2) }
      : undefined
    const encoderHidden = tf.tidy(() => loaded.model.encode({ embeds: loaded.model.embed(source.ids), attentionMask: source.mask }))
    const full = tf.tidy(() => rowsOf(loaded.model.decode({ embeds: loaded.model.embed(target.ids), encoderHidden, encoderMask: source.mask, prefix })))
    const before = tf.memory().numTensors
    const cache = loaded.model.createCache(2, prefix)
    const time = target.ids.shape[1]
    const steps: number[][][][] = []
    for (let t = 0; t < time; t++) {
      steps.push(
        tf.tidy(() => {
          const step = target.ids.slice([0, t], [2, 1]) as tf.Tensor2D
          return rowsOf(loaded.model.decode({ embeds: loaded.model.embed(step), encoderHidden, encoderMask: source.mask, cache }))
        }),
      )
    }
    expect(cache.length).toBe(time + (withPrefix ? 2 : 0))
    cache.dispose()
    expect(tf.memory().numTensors).toBe(before)
    for (let b = 0; b < 2; b++) {
      // Right-padded targets: real positions never attend to the pad after them.
      const length = targets[b]!.length
      expect(maxAbsDiff(steps.slice(0, length).map((step) => step[b]![0]!), full[b]!.slice(0, length))).toBeLessThan(1e-5)
    }
    tf.dispose([source.ids, source.mask, target.ids, target.mask, encoderHidden])
    disposePrefix(prefix?.decoder)
    disposePrefix(prefix?.cross)
  })

  it("looks linear modules up by HF name on every forward, so an adapter can replace them", () => {
    const inner = config.num_heads * config.d_kv
    const ffIn = config.feed_forward_proj === "relu" ? "wi" : "wi_0"
    const last = config.num_decoder_layers - 1
    expect(loaded.model.linears.get("encoder.block.1.layer.0.SelfAttention.q")?.shape).toEqual([inner, config.d_model])
    expect(loaded.model.linears.get(`decoder.block.${last}.layer.1.EncDecAttention.o`)?.shape).toEqual([config.d_model, inner])
    expect(loaded.model.linears.get(`encoder.block.0.layer.1.DenseReluDense.${ffIn}`)?.shape).toEqual([config.d_ff, config.d_model])
    expect(loaded.model.linears.get(`decoder.block.${last}.layer.2.DenseReluDense.wo`)?.shape).toEqual([config.d_model, config.d_ff])
    const perLayer = config.feed_forward_proj === "relu" ? 2 : 3
    expect(loaded.model.linears.size).toBe(config.num_layers * (4 + perLayer) + config.num_decoder_layers * (8 + perLayer) + 1)

    const [sourceIds, targetIds] = [single(sources[1]!), single(targets[1]!)]
    const original = run(loaded.model, { sourceIds, targetIds }).logits
    const name = "decoder.block.0.layer.1.EncDecAttention.v"
    const cross = loaded.model.linears.get(name) as Linear
    loaded.model.linears.set(name, { ...cross, apply: (x) => tf.tidy(() => cross.apply(x).mul(0)) })
    const noCrossValues = run(loaded.model, { sourceIds, targetIds }).logits
    loaded.model.linears.set(name, cross)
    expect(maxAbsDiff(noCrossValues[0]!, original[0]!)).toBeGreaterThan(0.01)
    expect(maxAbsDiff(run(loaded.model, { sourceIds, targetIds }).logits[0]!, original[0]!)).toBe(0)
    tf.dispose([sourceIds, targetIds])
  })

  it("is differentiable in the source embeddings, matching float64 finite differences, and leaks nothing", () => {
    const [source, target] = [sources[1]!, targets[1]!]
    const coefficients = target.map((_, t) => Array.from({ length: config.vocab_size }, (_, v) => Math.sin(1 + t * 7 + v)))
    const targetIds = single(target)
    const embeds = tf.variable(tf.tidy(() => loaded.model.embed(single(source))))
    const before = tf.memory().numTensors
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const encoderHidden = loaded.model.encode({ embeds: embeds as unknown as tf.Tensor3D })
        return loaded.model.decode({ embeds: loaded.model.embed(targetIds), encoderHidden }).squeeze([0]).mul(tf.tensor2d(coefficients)).sum() as tf.Scalar
      }),
    )
    const gradient = (grads[embeds.name] as tf.Tensor).arraySync() as number[][][]
    tf.dispose([value, ...Object.values(grads)])
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([embeds, targetIds])

    const loss = (rows: number[][]) =>
      naiveT5Decode(config, loaded.weights, sharedRows(config, loaded.weights, target), naiveT5Encode(config, loaded.weights, rows)).reduce(
        (s, row, t) => s + row.reduce((a, v, j) => a + v * coefficients[t]![j]!, 0),
        0,
      )
    const rows = sharedRows(config, loaded.weights, source)
    const h = 1e-5
    for (const [t, i] of [[0, 0], [1, 5], [3, 7], [2, 3]] as const) {
      const shifted = (delta: number) => rows.map((row, r) => row.map((v, c) => (r === t && c === i ? v + delta : v)))
      const numeric = (loss(shifted(h)) - loss(shifted(-h))) / (2 * h)
      expect(Math.abs(gradient[0]![t]![i]! - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)))
    }
  })
})

describe("T5 on the wasm backend", () => {
  const config = decodeT5(gatedJson)
  const loaded = useTinyT5(gatedJson, wasm)

  it("matches the float64 forward within 1e-3", () => {
    const [sourceIds, targetIds] = [single(sources[0]!), single(targets[0]!)]
    const { logits } = run(loaded.model, { sourceIds, targetIds })
    const embeds = (ids: ReadonlyArray<number>) => sharedRows(config, loaded.weights, ids)
    const expected = naiveT5Decode(config, loaded.weights, embeds(targets[0]!), naiveT5Encode(config, loaded.weights, embeds(sources[0]!)))
    expect(maxAbsDiff(logits[0]!, expected)).toBeLessThan(1e-3)
    tf.dispose([sourceIds, targetIds])
  })
})

describe("loading T5 checkpoints", () => {
  beforeAll(async () => {
    await cpu.setup()
  })

  it("reads the shared embedding from encoder/decoder embed_tokens copies, and a T5 is not a causal LM", async () => {
    const { dir, weights } = await writeTinyT5(gatedJson)
    const original = await Effect.runPromise(loadSeq2SeqLM(dir))
    const [sourceIds, targetIds] = [single(sources[1]!), single(targets[1]!)]
    const expected = run(original, { sourceIds, targetIds }).logits
    original.dispose()
    const shared = weights.get("shared.weight")!
    weights.delete("shared.weight")
    weights.set("encoder.embed_tokens.weight", shared)
    weights.set("decoder.embed_tokens.weight", shared)
    await Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), weights))
    const renamed = await Effect.runPromise(loadSeq2SeqLM(dir))
    expect(run(renamed, { sourceIds, targetIds }).logits).toEqual(expected)
    renamed.dispose()
    expect((await Effect.runPromise(Effect.flip(loadCausalLM(dir)))).detail).toBe('expected a decoder-only language model, but "t5" is a seq2seq model')
    tf.dispose([sourceIds, targetIds])
    rmSync(dir, { recursive: true })
  })

  it("names a missing tensor, a tensor whose shape disagrees with config.json, and a bad config field", async () => {
    const { dir, weights } = await writeTinyT5(gatedJson)
    const tableName = "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"
    const table = weights.get(tableName)!
    weights.delete(tableName)
    await Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), weights))
    expect(await Effect.runPromise(Effect.flip(loadSeq2SeqLM(dir)))).toMatchObject({
      _tag: "ModelFileError",
      source: join(dir, "model.safetensors"),
      detail: `missing tensor "${tableName}"`,
    })
    weights.set(tableName, table)
    await Effect.runPromise(writeSafetensors(join(dir, "model.safetensors"), weights))
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...gatedJson, d_ff: 24 }))
    expect((await Effect.runPromise(Effect.flip(loadSeq2SeqLM(dir)))).detail).toBe(
      'tensor "encoder.block.0.layer.1.DenseReluDense.wi_0.weight" has shape [20, 12], but config.json implies [24, 12]',
    )
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...gatedJson, feed_forward_proj: "gated-silu" }))
    expect(await Effect.runPromise(Effect.flip(loadSeq2SeqLM(dir)))).toMatchObject({ source: join(dir, "config.json"), detail: expect.stringMatching(/^field "feed_forward_proj": /) })
    rmSync(dir, { recursive: true })
  })
})
