// The same model gives the same outputs on every backend: each architecture's tiny checkpoint
// runs on cpu (checked against float64 references in @peftlab/models' tests), wasm and webgpu,
// and wasm and webgpu must agree with cpu within 1e-3. Generation with the key/value cache must
// equal generation without it on each backend too.
import * as tf from "@tensorflow/tfjs"
import { frozenBase } from "@peftlab/adapters-base"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import type { BackendPlugin } from "@peftlab/core"
import { generateBatch } from "@peftlab/evaluators"
import { loadModel, type BaseModel } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"

const tolerance = 1e-3
const ids = [
  [5, 9, 12, 40, 7],
  [3, 22, 17, 0, 0],
]
const mask = ids.map((row, b) => row.map((_, t) => (b === 1 && t >= 3 ? 0 : 1)))

/** The model's main output for a right-padded batch: logits (language models) or last hidden states (encoders). */
const outputs = async (model: BaseModel): Promise<number[][][]> => {
  const result = tf.tidy(() => {
    const input = { embeds: model.embed(tf.tensor2d(ids, undefined, "int32")), attentionMask: tf.tensor2d(mask, undefined, "int32") }
    if (model.kind === "causal") return model.forward(input)
    if (model.kind === "encoder") return model.encode(input)
    const encoderHidden = model.encode(input)
    const decoderIds = tf.tensor2d([[0, 7, 9], [0, 4, 4]], undefined, "int32")
    return model.decode({ embeds: model.embed(decoderIds), encoderHidden, encoderMask: input.attentionMask })
  })
  const values = (await result.array()) as number[][][]
  result.dispose()
  return values
}

const maxAbsDiff = (a: number[][][], b: number[][][]): number =>
  Math.max(...a.flatMap((rows, i) => rows.map((row, j) => Math.max(...row.map((v, k) => Math.abs(v - (b[i]?.[j]?.[k] ?? Number.NaN)))))))

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]
const backends: ReadonlyArray<BackendPlugin> = [cpu, wasm, webgpu]

describe("the same outputs on cpu, wasm and webgpu", () => {
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

  it.each(architectures)(`%s: wasm and webgpu agree with cpu within ${tolerance}`, (architecture) => {
    const reference = results.get(`${architecture}/cpu`)
    expect(reference).toBeDefined()
    for (const name of ["wasm", "webgpu"]) {
      const got = results.get(`${architecture}/${name}`)
      expect(got, `${architecture} on ${name} did not run`).toBeDefined()
      expect(maxAbsDiff(got!, reference!)).toBeLessThan(tolerance)
    }
  })
})
