import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { loadModel } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]
const bytes = (dir: string) => readFileSync(join(dir, "model.safetensors"))

describe("tiny random checkpoints", () => {
  beforeAll(() => cpu.setup())

  it.each(architectures)("%s: the same seed writes the same bytes, another seed other weights", async (architecture) => {
    const [a, b, c] = [await writeTinyCheckpoint(architecture, 7), await writeTinyCheckpoint(architecture, 7), await writeTinyCheckpoint(architecture, 8)]
    expect(bytes(a).equals(bytes(b))).toBe(true)
    expect(bytes(a).length).toBe(bytes(c).length)
    expect(bytes(a).equals(bytes(c))).toBe(false)
    expect(JSON.parse(readFileSync(join(a, "config.json"), "utf8"))).toEqual(tinyConfigs[architecture])
  })

  it.each(architectures)("%s: loads as its kind of model with the config's sizes", async (architecture) => {
    const model = await Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture)))
    expect(model.architecture).toBe(architecture)
    expect(model.kind).toBe({ llama: "causal", mistral: "causal", qwen2: "causal", falcon: "causal", gpt2: "causal", t5: "seq2seq", bert: "encoder", "megatron-bert": "encoder" }[architecture])
    expect(model.dims.vocab_size).toBe(64)
    expect(model.dims.hidden_size).toBe(24)
    const embedded = tf.tidy(() => model.embed(tf.tensor2d([[3, 5]], undefined, "int32")).shape)
    expect(embedded).toEqual([1, 2, 24])
    model.dispose()
  })
})
