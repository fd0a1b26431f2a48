import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { describe, expect, it } from "vitest"
import { generateSeq2Seq, type Seq2SeqPrefix } from "../src/index.ts"
import { padBatch } from "./batch-helpers.ts"
import { decodeT5, disposePrefix, gatedJson, prefixTensors, randomPrefix, useTinyT5 } from "./tiny-t5.ts"

const sources = [
  [3, 7, 23, 4, 29, 12, 5, 1],
  [5, 18, 1],
  [9, 33, 2, 8, 1],
]

describe("greedy seq2seq generation (T5, cpu)", () => {
  const config = decodeT5(gatedJson)
  const loaded = useTinyT5(gatedJson, cpu, 4)

  const generate = (rows: ReadonlyArray<ReadonlyArray<number>>, options: { useCache: boolean; prefix?: Seq2SeqPrefix; eos?: number[] }) => {
    const { ids, mask } = padBatch(rows, "right")
    const embeds = loaded.model.embed(ids)
    return generateSeq2Seq(loaded.model, { embeds, attentionMask: mask, prefix: options.prefix }, { maxNewTokens: 6, useCache: options.useCache, eosTokenIds: options.eos ?? [] }).finally(() =>
      tf.dispose([ids, mask, embeds]),
    )
  }
  const prefixOf = (batch: number): Seq2SeqPrefix => ({
    encoder: prefixTensors(randomPrefix(config, config.num_layers, 2, 11), batch),
    decoder: prefixTensors(randomPrefix(config, config.num_decoder_layers, 3, 12), batch),
    cross: prefixTensors(randomPrefix(config, config.num_decoder_layers, 2, 13), batch),
  })
  const disposeAll = (prefix: Seq2SeqPrefix) => [prefix.encoder, prefix.decoder, prefix.cross].forEach(disposePrefix)

  it("gives the same tokens with the decoder cache as rerunning the decoder, on a padded batch, and leaks nothing", async () => {
    const before = tf.memory().numTensors
    const cached = await generate(sources, { useCache: true })
    const full = await generate(sources, { useCache: false })
    expect(cached).toEqual(full)
    expect(cached.every((row) => row.length === 6)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
  })

  it("gives each padded row the tokens it gets alone", async () => {
    const batched = await generate(sources, { useCache: true })
    for (const [i, source] of sources.entries()) expect(await generate([source], { useCache: true })).toEqual([batched[i]])
  })

  it("with encoder, decoder and cross prefixes, the cache seeded with them gives the tokens of full reruns", async () => {
    const prefix = prefixOf(sources.length)
    const before = tf.memory().numTensors
    const cached = await generate(sources, { useCache: true, prefix })
    const full = await generate(sources, { useCache: false, prefix })
    expect(tf.memory().numTensors).toBe(before)
    const without = await generate(sources, { useCache: true })
    disposeAll(prefix)
    expect(cached).toEqual(full)
    expect(cached).not.toEqual(without)
  })

  it("stops a row at an end-of-sequence id, leaving the id out; the loaded.model's eos (1) by default", async () => {
    const free = await generate(sources, { useCache: true })
    const eos = free[0]![2]!
    const stopped = await generate(sources, { useCache: true, eos: [eos] })
    for (const [i, row] of free.entries()) {
      const at = row.indexOf(eos)
      expect(stopped[i]).toEqual(at === -1 ? row : row.slice(0, at))
    }
    expect(loaded.model.eosTokenIds).toEqual([1])
  })
})
