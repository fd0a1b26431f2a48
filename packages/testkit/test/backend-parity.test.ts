// The same model gives the same outputs on every backend: each architecture's tiny checkpoint
// runs on cpu, wasm, webgpu and (where its prebuilt addon loads) native; each backend must match
// the float64 reference of that architecture computed from the checkpoint's own weights (within
// 1e-4 on cpu, 1e-3 on the others), and the others must agree with cpu within 1e-3. Generation with the key/value
// cache must equal generation without it on each backend too.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { frozenBase } from "@peftlab/adapters-base"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as native } from "@peftlab/backend-native"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import type { BackendPlugin } from "@peftlab/core"
import { generateBatch } from "@peftlab/evaluators"
import { loadModel, readModelConfig, readSafetensors, type BaseModel, type BertConfig, type FalconConfig, type Gpt2Config, type LlamaConfig, type T5Config } from "@peftlab/models"
import { embeddingRows, naiveBert, naiveFalconLogits, naiveGpt2Logits, naiveLlamaLogits, naiveT5Decode, naiveT5Encode, sharedRows, tokenRows, type Weights } from "@peftlab/references"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"

const tolerance = 1e-3
/** How far each backend may be from the float64 reference: float32 throughout, and wasm, webgpu and native reorder their sums. */
const referenceTolerance: Record<string, number> = { cpu: 1e-4, wasm: 1e-3, webgpu: 1e-3, native: 1e-3 }
const ids = [
  [5, 9, 12, 40, 7],
  [3, 22, 17, 0, 0],
]
const mask = ids.map((row, b) => row.map((_, t) => (b === 1 && t >= 3 ? 0 : 1)))
const decoderIds = [
  [0, 7, 9],
  [0, 4, 4],
]

/** The model's main output for a right-padded batch: logits (language models) or last hidden states (encoders). */
const outputs = async (model: BaseModel): Promise<number[][][]> => {
  const result = tf.tidy(() => {
    const input = { embeds: model.embed(tf.tensor2d(ids, undefined, "int32")), attentionMask: tf.tensor2d(mask, undefined, "int32") }
    if (model.kind === "causal") return model.forward(input)
    if (model.kind === "encoder") return model.encode(input)
    const encoderHidden = model.encode(input)
    return model.decode({ embeds: model.embed(tf.tensor2d(decoderIds, undefined, "int32")), encoderHidden, encoderMask: input.attentionMask })
  })
  const values = (await result.array()) as number[][][]
  result.dispose()
  return values
}

const maxAbsDiff = (a: number[][][], b: number[][][]): number =>
  Math.max(...a.flatMap((rows, i) => rows.map((row, j) => Math.max(...row.map((v, k) => Math.abs(v - (b[i]?.[j]?.[k] ?? Number.NaN)))))))

/**
 * Each architecture's float64 reference for row `b` of the batch, given that row's real ids
 * (`source`): what `outputs` gives at each real position, or for T5 at each of the row's
 * decoder positions (decoderIds[b]).
 */
const references: Record<TinyArchitecture, (config: unknown, weights: Weights, source: number[], b: number) => number[][]> = {
  llama: (config, weights, source) => naiveLlamaLogits(config as LlamaConfig, weights, embeddingRows(weights, "model.embed_tokens.weight", source)),
  mistral: (config, weights, source) => naiveLlamaLogits(config as LlamaConfig, weights, embeddingRows(weights, "model.embed_tokens.weight", source)),
  qwen2: (config, weights, source) => naiveLlamaLogits(config as LlamaConfig, weights, embeddingRows(weights, "model.embed_tokens.weight", source)),
  falcon: (config, weights, source) => naiveFalconLogits(config as FalconConfig, weights, embeddingRows(weights, "transformer.word_embeddings.weight", source)),
  gpt2: (config, weights, source) => naiveGpt2Logits(config as Gpt2Config, weights, tokenRows(weights, source)),
  t5: (config, weights, source, b) => {
    const c = config as T5Config
    return naiveT5Decode(c, weights, sharedRows(c, weights, decoderIds[b]!), naiveT5Encode(c, weights, sharedRows(c, weights, source)))
  },
  bert: (config, weights, source) => naiveBert(config as BertConfig, weights, { embeds: embeddingRows(weights, "bert.embeddings.word_embeddings.weight", source) }).hidden,
  "megatron-bert": (config, weights, source) => naiveBert(config as BertConfig, weights, { embeds: embeddingRows(weights, "bert.embeddings.word_embeddings.weight", source) }).hidden,
}

/** The reference for every row of the batch, from the checkpoint in `dir` as written to disk. */
const referenceOutputs = async (architecture: TinyArchitecture, dir: string): Promise<number[][][]> => {
  const { config } = await Effect.runPromise(readModelConfig(dir))
  const weights = await Effect.runPromise(readSafetensors(join(dir, "model.safetensors")))
  return ids.map((row, b) => references[architecture](config, weights, row.filter((_, t) => mask[b]![t] === 1), b))
}

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]
// native last: it sets the wasm backend up with its own matmul, which stays registered.
const nativeHere = (await native.probe()).available
const backends: ReadonlyArray<BackendPlugin> = [cpu, wasm, webgpu, ...(nativeHere ? [native] : [])]
const comparedWithCpu = backends.map((b) => b.name).filter((name) => name !== "cpu")

describe(`the same outputs on ${backends.map((b) => b.name).join(", ")}`, () => {
  const dirs = new Map<TinyArchitecture, string>()
  const results = new Map<string, number[][][]>()
  beforeAll(async () => {
    for (const architecture of architectures) dirs.set(architecture, await writeTinyCheckpoint(architecture, 11))
    const unavailable = await webgpu.probe()
    if (!unavailable.available) throw new Error(`webgpu is unavailable: ${unavailable.reason}`)
  })

  it.each(backends.map((b) => b.name))("runs every architecture on %s, generating the same tokens with and without the cache", async (name) => {
    await backends.find((b) => b.name === name)!.setup()
    for (const architecture of architectures) {
      const model = await Effect.runPromise(loadModel(dirs.get(architecture)!))
      results.set(`${architecture}/${name}`, await outputs(model))
      if (model.kind !== "encoder") {
        const prompts = [[5, 9, 12], [3, 22]]
        const options = { maxNewTokens: 4, eosTokenIds: [] }
        const cached = await generateBatch(model, frozenBase(), prompts, 0, options)
        expect(cached).toEqual(await generateBatch(model, frozenBase(), prompts, 0, { ...options, useCache: false }))
      }
      model.dispose()
    }
  })

  it.each(architectures)(`%s: ${comparedWithCpu.join(", ")} agree with cpu within ${tolerance}`, (architecture) => {
    const reference = results.get(`${architecture}/cpu`)
    expect(reference).toBeDefined()
    for (const name of comparedWithCpu) {
      const got = results.get(`${architecture}/${name}`)
      expect(got, `${architecture} on ${name} did not run`).toBeDefined()
      expect(maxAbsDiff(got!, reference!)).toBeLessThan(tolerance)
    }
  })

  it.each(architectures)("%s: every backend matches the float64 reference at the real positions (cpu 1e-4, the others 1e-3)", async (architecture) => {
    const expected = await referenceOutputs(architecture, dirs.get(architecture)!)
    for (const { name } of backends) {
      const got = results.get(`${architecture}/${name}`)
      expect(got, `${architecture} on ${name} did not run`).toBeDefined()
      // Right padding puts each row's real positions first; T5's decoder rows have no padding.
      const real = expected.map((rows, b) => got![b]!.slice(0, rows.length))
      expect(maxAbsDiff(real, expected), `${architecture} on ${name}`).toBeLessThan(referenceTolerance[name]!)
    }
  })
})
