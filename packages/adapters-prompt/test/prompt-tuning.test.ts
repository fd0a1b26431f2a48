import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { trainOnFixedTask } from "@peftlab/testkit"
import { readPeftAdapter, savePeftAdapter, trainableParameterCount, causalLogits } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { createPromptTuning, fitIdsToLength, loadPromptTuning } from "../src/index.ts"

describe("fitIdsToLength", () => {
  it("repeats or cuts the init text's ids to the number of virtual tokens, as PEFT does", () => {
    expect(fitIdsToLength([5, 6, 7], 7)).toEqual([5, 6, 7, 5, 6, 7, 5])
    expect(fitIdsToLength([5, 6, 7], 2)).toEqual([5, 6])
    expect(() => fitIdsToLength([], 3)).toThrow(RangeError)
  })
})

describe("prompt tuning on stories260k", () => {
  let model: CausalLM
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  it("trains n_virtual x hidden parameters and records PEFT's config", () => {
    const adapter = createPromptTuning(model, { numVirtualTokens: 6, init: "random" }, Rng.seeded(1))
    expect(trainableParameterCount(adapter)).toBe(6 * 64)
    expect(adapter.peftConfig()).toMatchObject({ peft_type: "PROMPT_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 6, token_dim: 64, num_layers: 5 })
    expect([...adapter.peftTensors().keys()]).toEqual(["prompt_embeddings"])
    adapter.dispose()
  })

  it("initialises from the embeddings of the init text's tokens", () => {
    const adapter = createPromptTuning(model, { numVirtualTokens: 3, init: "text", initIds: [403, 407] }, Rng.seeded(1))
    const table = (model.parameters.get("model.embed_tokens.weight") as tf.Tensor).arraySync() as number[][]
    expect(adapter.prompt.arraySync()).toEqual([table[403], table[407], table[403]])
    adapter.dispose()
  })

  it("returns logits aligned with the caller's tokens: the base run on [prompt; tokens], minus the prompt positions", () => {
    const adapter = createPromptTuning(model, { numVirtualTokens: 4, init: "random" }, Rng.seeded(2))
    const ids = tf.tensor2d([[1, 403, 407, 261]], [1, 4], "int32")
    const mask = tf.ones([1, 4], "int32") as tf.Tensor2D
    const got = tf.tidy(() => causalLogits(model, adapter, ids, mask))
    expect(got.shape).toEqual([1, 4, 512])
    const expected = tf.tidy(() => {
      const embeds = tf.concat([adapter.prompt.expandDims(0), model.embed(ids)], 1) as tf.Tensor3D
      return model.forward({ embeds }).slice([0, 4, 0], [1, 4, 512])
    })
    expect(tf.max(tf.abs(got.sub(expected))).dataSync()[0]).toBeLessThan(1e-5)
    tf.dispose([ids, mask, got, expected])
    adapter.dispose()
  })

  it("lowers the answer loss while every base weight stays byte-identical", async () => {
    const adapter = createPromptTuning(model, { numVirtualTokens: 4, init: "random" }, Rng.seeded(3))
    const initialPrompt = adapter.prompt.arraySync()
    const run = await trainOnFixedTask(model, adapter, { lr: 0.05, seed: 4 })
    expect(run.endLoss).toBeLessThan(run.startLoss / 4)
    expect(run.leakedTensors).toBe(0)
    expect(run.changedBaseParameters).toEqual([])
    expect(adapter.prompt.arraySync()).not.toEqual(initialPrompt)
    adapter.dispose()
  })
})

describe("prompt tuning in PEFT's files", () => {
  let model: CausalLM
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  it("refuses files made for another model, naming the file and the tensor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-prompt-"))
    const saved = createPromptTuning(model, { numVirtualTokens: 5, init: "random" }, Rng.seeded(8))
    await Effect.runPromise(savePeftAdapter(dir, saved))
    const config = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"))
    writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...config, num_virtual_tokens: 6 }))
    const error = await Effect.runPromise(Effect.flip(readPeftAdapter(dir).pipe(Effect.flatMap((files) => loadPromptTuning(model, files)))))
    expect(error.message).toBe(`${join(dir, "adapter_model.safetensors")}: tensor "prompt_embeddings": expected shape [6, 64], got [5, 64]`)
    saved.dispose()
  })
})
