// The real sshleifer/tiny-gpt2 checkpoint (2 layers, hidden 2, untrained weights) against the
// independent float64 forward computed on its own weights, and a random checkpoint of its shape.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { naiveGpt2Logits, tokenRows, type Weights } from "@peftlab/references"
import { architectureFor, generateCausal, loadCausalLM, readSafetensors, writeRandomCheckpoint, type CausalLM, type Gpt2Config } from "../src/index.ts"
import { maxAbsDiff, padBatch } from "./batch-helpers.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping tiny-gpt2 tests: PEFTLAB_MODELS unset")
const dir = join(models ?? "", "tiny-gpt2")

// GPT-2's ids of "The patient denies chest pain.", "Yes." and "A 45-year-old woman presented with".
const prompts = [
  [464, 5827, 18866, 7721, 2356, 13],
  [5297, 13],
  [32, 4153, 12, 1941, 12, 727, 2415, 5545, 351],
]

describe.skipIf(!models)("tiny-gpt2 (real checkpoint, cpu)", () => {
  const configJson = models ? (JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>) : {}
  let model: CausalLM
  let config: Gpt2Config
  let weights: Weights
  beforeAll(async () => {
    await cpu.setup()
    model = await Effect.runPromise(loadCausalLM(dir))
    const decoded = architectureFor("gpt2")?.decodeConfig(configJson)
    if (!decoded || Result.isFailure(decoded)) throw new Error("tiny-gpt2's config.json does not decode")
    config = decoded.success as Gpt2Config
    weights = await Effect.runPromise(readSafetensors(join(dir, "model.safetensors")))
  })
  afterAll(() => model.dispose())

  it("loads its 102,714 parameters (wte 50257x2, wpe 1024x2, 74 a block, ln_f 4) with a tied head", () => {
    expect(model.architecture).toBe("gpt2")
    expect(model.parameterCount()).toBe(50257 * 2 + 1024 * 2 + 2 * 74 + 4)
    expect(model.parameters.has("lm_head.weight")).toBe(false)
    expect(model.eosTokenIds).toEqual([50256])
  })

  it("matches the float64 forward on its own weights within 1e-5", () => {
    for (const ids of prompts) {
      const logits = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")) }).arraySync()[0] as number[][])
      const reference = naiveGpt2Logits(config, weights, tokenRows(weights, ids))
      expect(maxAbsDiff(logits, reference)).toBeLessThan(1e-5)
      // The logits differ across the vocabulary, so the comparison has something to miss.
      expect(Math.max(...(reference[0] as number[])) - Math.min(...(reference[0] as number[]))).toBeGreaterThan(0.01)
    }
  })

  it("generates the same tokens with the key/value cache as without, left-padded, leaking nothing", async () => {
    const { ids, mask } = padBatch(prompts, "left", 50256)
    const embeds = model.embed(ids)
    const before = tf.memory().numTensors
    const generate = (useCache: boolean) => generateCausal(model, { embeds, attentionMask: mask }, { maxNewTokens: 5, useCache, eosTokenIds: [] })
    const cached = await generate(true)
    expect(await generate(false)).toEqual(cached)
    expect(cached.map((row) => row.length)).toEqual([5, 5, 5])
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([ids, mask, embeds])
  })

  it("builds and runs a random checkpoint of the shape its config.json gives", async () => {
    const randomDir = mkdtempSync(join(tmpdir(), "peftlab-tiny-gpt2-"))
    await Effect.runPromise(writeRandomCheckpoint(randomDir, configJson, 1))
    const random = await Effect.runPromise(loadCausalLM(randomDir))
    const logits = tf.tidy(() => random.forward({ embeds: random.embed(tf.tensor2d([prompts[0] as number[]], undefined, "int32")) }))
    expect(logits.shape).toEqual([1, 6, 50257])
    expect((await logits.data()).every(Number.isFinite)).toBe(true)
    expect(random.parameterCount()).toBe(model.parameterCount())
    logits.dispose()
    random.dispose()
    rmSync(randomDir, { recursive: true })
  })
})
