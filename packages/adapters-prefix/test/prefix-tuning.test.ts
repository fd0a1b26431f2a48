import * as tf from "@tensorflow/tfjs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { trainOnFixedTask } from "@peftlab/testkit"
import { trainableParameterCount, causalLogits } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { CausalLM, LlamaCausalLM } from "@peftlab/models"
import { naiveLlamaLogits } from "@peftlab/references"
import { createPrefixTuning } from "../src/index.ts"
import { loadStories260k, logitsOf, maxAbsDiff, rows } from "./stories260k.ts"

// stories260k: 5 layers, 4 key/value heads of 8 dims, so PEFT's token_dim is 32 and a row is 5 * 2 * 32.
const layers = 5
const kvDim = 32
const width = layers * 2 * kvDim

describe("prefix tuning on stories260k", () => {
  let model: CausalLM
  beforeAll(async () => {
    model = await loadStories260k()
  })
  afterAll(() => model?.dispose())

  it("trains 2 x layers x n x kvDim parameters, or the MLP's with prefix_projection, and records PEFT's config", () => {
    const plain = createPrefixTuning(model, { numVirtualTokens: 6 }, Rng.seeded(1))
    expect(trainableParameterCount(plain)).toBe(2 * layers * 6 * kvDim)
    expect(plain.peftConfig()).toMatchObject({
      peft_type: "PREFIX_TUNING",
      task_type: "CAUSAL_LM",
      num_virtual_tokens: 6,
      token_dim: kvDim,
      num_layers: layers,
      num_attention_heads: 4,
      num_transformer_submodules: 1,
      prefix_projection: false,
      encoder_hidden_size: kvDim,
      inference_mode: true,
    })
    expect([...plain.peftTensors()].map(([name, t]) => [name, t.shape])).toEqual([["prompt_embeddings", [6, width]]])
    plain.dispose()

    const projected = createPrefixTuning(model, { numVirtualTokens: 6, prefixProjection: true, encoderHiddenSize: 16 }, Rng.seeded(1))
    // embedding [6, 32], Linear(32, 16), Linear(16, width)
    expect(trainableParameterCount(projected)).toBe(6 * kvDim + (kvDim * 16 + 16) + (16 * width + width))
    expect(projected.peftConfig()).toMatchObject({ prefix_projection: true, encoder_hidden_size: 16 })
    projected.dispose()
    expect(() => createPrefixTuning(model, { numVirtualTokens: 0 }, Rng.seeded(1))).toThrow(RangeError)
  })

  it("with an all-zero prefix, only dilutes attention: matches the float64 reference, and differs from the base", () => {
    const n = 3
    const adapter = createPrefixTuning(model, { numVirtualTokens: n }, Rng.seeded(3))
    adapter.trainable[0]!.assign(tf.zerosLike(adapter.trainable[0]!))
    const weights = new Map([...model.parameters].map(([name, t]) => [name, { shape: t.shape, data: (t as tf.Tensor).dataSync() as Float32Array }]))
    const zeros = Array.from({ length: 4 }, () => Array.from({ length: n }, () => Array(8).fill(0)))
    const ids = rows[0]!
    const embeds = ids.map((id) => Array.from(weights.get("model.embed_tokens.weight")!.data.subarray(id * 64, (id + 1) * 64)))
    const reference = naiveLlamaLogits((model as LlamaCausalLM).config, weights, embeds, Array.from({ length: layers }, () => ({ key: zeros, value: zeros })))
    const got = tf.tidy(() => causalLogits(model, adapter, tf.tensor2d([ids], undefined, "int32"), tf.ones([1, ids.length], "int32") as tf.Tensor2D).arraySync()[0]!)
    expect(maxAbsDiff(got, reference)).toBeLessThan(1e-4)
    expect(maxAbsDiff(got, naiveLlamaLogits((model as LlamaCausalLM).config, weights, embeds))).toBeGreaterThan(0.01)
    adapter.dispose()
  })

  it("lowers the answer loss far below its start, leaving every base weight byte-identical and leaking nothing", async () => {
    const adapter = createPrefixTuning(model, { numVirtualTokens: 4 }, Rng.seeded(4))
    const run = await trainOnFixedTask(model, adapter, { lr: 0.05, seed: 5 })
    expect(run.endLoss).toBeLessThan(run.startLoss / 4)
    expect(run.leakedTensors).toBe(0)
    expect(run.changedBaseParameters).toEqual([])
    adapter.dispose()
  })

  it("folds the projection MLP into a plain table that gives the same logits and the same saved rows", () => {
    const adapter = createPrefixTuning(model, { numVirtualTokens: 4, prefixProjection: true, encoderHiddenSize: 24 }, Rng.seeded(6))
    const viaMlp = logitsOf(model, adapter)
    const savedRows = (adapter.peftTensors().get("prompt_embeddings") as tf.Tensor).arraySync() as number[][]
    const tensors = tf.memory().numTensors
    adapter.foldProjection()
    expect(tf.memory().numTensors).toBe(tensors - 5 + 1) // five MLP variables out, one table in
    expect(adapter.projected).toBe(false)
    expect(trainableParameterCount(adapter)).toBe(2 * layers * 4 * kvDim)
    const folded = logitsOf(model, adapter)
    expect(Math.max(...folded.map((f, b) => maxAbsDiff(f, viaMlp[b]!)))).toBeLessThan(1e-5)
    expect(maxAbsDiff((adapter.peftTensors().get("prompt_embeddings") as tf.Tensor).arraySync() as number[][], savedRows)).toBe(0)
    adapter.dispose()
  })
})
