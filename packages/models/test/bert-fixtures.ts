// A tiny random BERT checkpoint, its inputs and prefixes as tensors and as the float64
// reference's arrays, shared by the encoder and head tests.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Result } from "effect"
import { embeddingRows, type NaivePrefix, type Weights } from "@peftlab/references"
import { architectureFor, writeRandomCheckpoint, type BertConfig, type Float32Tensor, type KeyValue } from "../src/index.ts"

/** 3 heads of 4, 3 segment types, a short position table; hidden_act and layer_norm_eps left to their defaults. */
export const tinyBertJson: Record<string, unknown> = {
  model_type: "bert",
  vocab_size: 40,
  hidden_size: 12,
  num_hidden_layers: 2,
  num_attention_heads: 3,
  intermediate_size: 20,
  max_position_embeddings: 16,
  type_vocab_size: 3,
}

const decodeBert = (json: unknown): BertConfig => {
  const decoded = architectureFor("bert")?.decodeConfig(json)
  if (!decoded || Result.isFailure(decoded)) throw new Error(`test config does not decode: ${decoded && Result.isFailure(decoded) ? decoded.failure : "no bert"}`)
  return decoded.success as BertConfig
}
export const tinyBert = decodeBert(tinyBertJson)

export const writeTinyBert = async (json: Record<string, unknown> = tinyBertJson, seed = 1): Promise<{ dir: string; weights: Map<string, Float32Tensor> }> => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-bert-"))
  return { dir, weights: await Effect.runPromise(writeRandomCheckpoint(dir, json, seed)) }
}

/** Word-embedding rows of `ids`, as the reference's input. */
export const embedRows = (weights: Weights, ids: ReadonlyArray<number>): number[][] => embeddingRows(weights, "bert.embeddings.word_embeddings.weight", ids)

/** A random prefix, one [batch, heads, virtual, headDim] key and value per layer, the same for every row. */
export const randomPrefix = (config: BertConfig, batch: number, virtual: number, seed: number): KeyValue[] =>
  tf.tidy(() =>
    Array.from({ length: config.num_hidden_layers }, (_, layer) => {
      const block = (offset: number) =>
        tf.randomNormal([1, config.num_attention_heads, virtual, config.head_dim], 0, 1, "float32", seed + 2 * layer + offset).tile([batch, 1, 1, 1]) as tf.Tensor4D
      return { key: block(0), value: block(1) }
    }),
  )

/** Row 0 of a prefix, as the reference takes it. */
export const naivePrefix = (prefix: ReadonlyArray<KeyValue>): NaivePrefix[] =>
  prefix.map(({ key, value }) => ({ key: (key.arraySync()[0] as number[][][]), value: (value.arraySync()[0] as number[][][]) }))

export const disposePrefix = (prefix: ReadonlyArray<KeyValue>): void => tf.dispose(prefix.flatMap(({ key, value }) => [key, value]))
