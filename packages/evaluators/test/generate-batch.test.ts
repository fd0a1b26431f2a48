import * as tf from "@tensorflow/tfjs"
import { frozenBase, type Adapter } from "@peftlab/adapters-base"
import { createPrefixTuning } from "@peftlab/adapters-prefix"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { loadModel, type BaseModel } from "@peftlab/models"
import { writeTinyCheckpoint } from "@peftlab/testkit"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { generateBatch, paddingSide, type LanguageModel } from "../src/index.ts"

const prompts = [
  [5, 9, 12, 40, 7],
  [3, 22],
  [17, 8, 30],
]

const adapters: Record<string, (model: BaseModel) => Adapter> = {
  base: () => frozenBase(),
  prompt: (model) => createPromptTuning(model, { numVirtualTokens: 3, init: "random" }, Rng.seeded(5)),
  prefix: (model) => createPrefixTuning(model, { numVirtualTokens: 3 }, Rng.seeded(5)),
}

describe.each(["llama", "t5"] as const)("generateBatch on a tiny %s (cpu)", (architecture) => {
  let model: LanguageModel
  beforeAll(async () => {
    await cpu.setup()
    model = (await Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 6)))) as LanguageModel
  })

  it("pads decoder-only prompts on the left and encoder-decoder ones on the right", () => {
    expect(paddingSide(model)).toBe(architecture === "llama" ? "left" : "right")
  })

  it.each(Object.keys(adapters))("with %s: a padded batch gives each prompt its own tokens, with and without the cache, leaking nothing", async (name) => {
    const adapter = adapters[name]!(model)
    const before = tf.memory().numTensors
    const options = { maxNewTokens: 5, eosTokenIds: [] }
    const batched = await generateBatch(model, adapter, prompts, 0, options)
    const uncached = await generateBatch(model, adapter, prompts, 0, { ...options, useCache: false })
    const alone = await Promise.all(prompts.map(async (p) => (await generateBatch(model, adapter, [p], 0, options))[0]))
    expect(tf.memory().numTensors).toBe(before)
    adapter.dispose()
    expect(batched).toEqual(uncached)
    expect(batched).toEqual(alone)
    expect(batched.every((row) => row.length === 5)).toBe(true)
  })
})
