// Scoring and generation never build a tensor over one device binding: label scores, continuation
// log-probabilities, perplexity and batched generation run the LM head on row chunks whose logits
// fit the binding limit (or at the positions needed only), and what needs a matrix as one float32
// tensor (readWeight, a trainable copy, full logits) is refused with BindingLimitError instead of
// failing Dawn's validation. The limit is forced low (600 bytes: two rows of logits over the tiny
// models' 64-word vocabulary per chunk, and row tiles of at most 600 bytes for device-held
// weights) so every path chunks; what it computes must equal the unforced path's: bit for bit on
// cpu, and on webgpu (lavapipe) within the tolerances below, and within them of cpu's. Nothing leaks.
// One check runs at lavapipe's own 128 MiB limit: a 32,000-word model scoring and generating from
// 4x300 tokens, whose whole logits (154 MB) would fail validation, as wasm does.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { causalLogits, causalNextTokenLosses, frozenBase, unfreezeBase, type Adapter } from "@peftlab/adapters-base"
import { createLora } from "@peftlab/adapters-lora"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { Rng } from "@peftlab/core"
import { continuationNll, continuationTokenLogProbs, generateBatch, referencePerplexity, scoreLabels, type LanguageModel } from "@peftlab/evaluators"
import {
  BindingLimitError,
  deviceBindingLimit,
  forceBindingLimit,
  isDeviceMatrix,
  loadModel,
  logitRowsPerChunk,
  nf4Linear,
  parameterValues,
  trainableCopy,
  writeRandomCheckpointFiles,
  type CausalLM,
  type LoadOptions,
} from "@peftlab/models"
import { Effect } from "effect"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"

const limit = 600
const load = (dir: string, options: LoadOptions = {}) => Effect.runPromise(loadModel(dir, options)) as Promise<LanguageModel>

const prompts = [[5, 9, 2, 7], [4, 40, 8], [11, 3, 60, 21, 9, 14]]
const labels = [[7], [12, 30], [44, 6, 19]]
const rows = [
  { prompt: [5, 9, 2], continuation: [7, 63, 3, 4, 10] },
  { prompt: [4, 40, 8, 33, 12], continuation: [6, 1] },
  { prompt: [17], continuation: [50, 22, 9, 13] },
]

type Kind = "base" | "lora" | "prompt"
/** The adapter of each kind, seeded; LoRA's B moved off zero, on the LM head too, so it changes the logits. */
const adapterOf = (model: LanguageModel, kind: Kind): Adapter => {
  if (kind === "base") return frozenBase()
  if (kind === "prompt") return createPromptTuning(model, { numVirtualTokens: 2, init: "random" }, Rng.seeded(4))
  const lora = createLora(model, { r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ["q_proj", "v_proj", "c_attn", "q", "v", "lm_head"], useRslora: false, bias: "none" }, Rng.seeded(3))
  for (const v of lora.trainable) {
    const moved = tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, 0.1, "float32", 9)))
    v.assign(moved)
    moved.dispose()
  }
  return lora
}

interface Scored {
  readonly scores: ReadonlyArray<number>
  readonly logProbs: ReadonlyArray<number>
  readonly perplexity: number
  readonly nll: number
  readonly generated: ReadonlyArray<ReadonlyArray<number>>
  readonly uncached: ReadonlyArray<ReadonlyArray<number>>
}

/** Every scoring and generation path the runner takes, read back. */
const scoreAll = async (model: LanguageModel, adapter: Adapter): Promise<Scored> => {
  const scores = (await scoreLabels(model, adapter, prompts, labels, 0)).flatMap((s) => s.scores)
  const { logProbs: tokenLogProbs, mask } = continuationTokenLogProbs(model, adapter, rows, 0)
  const logProbs = Array.from(await tokenLogProbs.data())
  tf.dispose([tokenLogProbs, mask])
  const { perplexity } = await referencePerplexity(model, adapter, rows, 0, 2)
  const nllTensor = continuationNll(model, adapter, rows, 0)
  const nll = (await nllTensor.data())[0]!
  nllTensor.dispose()
  const options = { maxNewTokens: 4, eosTokenIds: [] }
  const generated = await generateBatch(model, adapter, prompts, 0, options)
  const uncached = await generateBatch(model, adapter, prompts, 0, { ...options, useCache: false })
  return { scores, logProbs, perplexity, nll, generated, uncached }
}

/** Scores with the binding limit forced to `forced` (undefined: the device's own), the tensors counted around. */
const scoredUnder = async (forced: number | undefined, model: LanguageModel, adapter: Adapter): Promise<Scored> => {
  forceBindingLimit(forced)
  try {
    const before = tf.memory().numTensors
    const scored = await scoreAll(model, adapter)
    expect(tf.memory().numTensors).toBe(before)
    return scored
  } finally {
    forceBindingLimit(undefined)
  }
}

/** max |got - want| / max |want|. */
const relativeError = (got: ReadonlyArray<number>, want: ReadonlyArray<number>): number => {
  expect(got.length).toBe(want.length)
  const largest = Math.max(...want.map(Math.abs))
  return Math.max(...got.map((g, i) => Math.abs(g - want[i]!))) / largest
}

/** The largest |got - want| / max(1, |want|) over the numbers of two results. */
const largestDifference = (got: Scored, want: Scored): number => {
  const pairs: Array<[number, number]> = [
    ...got.scores.map((s, i) => [s, want.scores[i]!] as [number, number]),
    ...got.logProbs.map((s, i) => [s, want.logProbs[i]!] as [number, number]),
    [got.perplexity, want.perplexity],
    [got.nll, want.nll],
  ]
  return Math.max(...pairs.map(([a, b]) => Math.abs(a - b) / Math.max(1, Math.abs(b))))
}

const architectures: ReadonlyArray<TinyArchitecture> = ["llama", "gpt2", "falcon", "t5"]
const kinds: ReadonlyArray<Kind> = ["base", "lora", "prompt"]

afterEach(() => forceBindingLimit(undefined))

describe("chunked scoring on cpu", () => {
  beforeAll(() => cpu.setup())

  it.each(architectures.flatMap((a) => kinds.map((k) => [a, k] as const)))(
    "%s with %s: label scores, log-probabilities, perplexity and generations under a 600-byte limit equal the unforced ones bit for bit",
    async (architecture, kind) => {
      const dir = await writeTinyCheckpoint(architecture, 5)
      for (const weights of ["host", "device"] as const) {
        const model = await load(dir, { weights, ...(weights === "device" && { maxTileBytes: limit }) })
        const adapter = adapterOf(model, kind)
        const want = await scoredUnder(undefined, model, adapter)
        forceBindingLimit(limit)
        expect(logitRowsPerChunk(64)).toBe(2)
        forceBindingLimit(undefined)
        const got = await scoredUnder(limit, model, adapter)
        expect(got).toEqual(want)
        adapter.dispose()
        model.dispose()
      }
    },
  )

  // The losses are the same bit for bit; a weight's gradient sums over rows, and the chunks sum
  // theirs apart, so it may differ in the last bits (measured: printed).
  it.each(["llama", "gpt2"] as const)("%s: the next-token losses (bit for bit) and gradients (1e-6) of a trained LM head (LoRA, a full fine-tune) are the unforced ones", async (architecture) => {
    const model = (await load(await writeTinyCheckpoint(architecture, 5))) as CausalLM
    const ids = tf.tensor2d([[5, 9, 2, 7, 63, 3], [4, 40, 8, 0, 6, 2]], [2, 6], "int32")
    const mask = tf.ones([2, 6], "int32") as tf.Tensor2D
    for (const adapter of [adapterOf(model, "lora"), unfreezeBase(frozenBase(), model)]) {
      const step = async (forced: number | undefined) => {
        forceBindingLimit(forced)
        const { value, grads } = tf.variableGrads(() => causalNextTokenLosses(model, adapter, ids, mask).mean() as tf.Scalar, adapter.trainable as Array<tf.Variable>)
        forceBindingLimit(undefined)
        const values = [await value.data(), ...(await Promise.all(adapter.trainable.map((v) => grads[v.name]!.data())))].map((a) => Array.from(a))
        tf.dispose([value, ...Object.values(grads)])
        return values
      }
      const want = await step(undefined)
      const before = tf.memory().numTensors
      const [loss, ...gradients] = await step(limit)
      expect(tf.memory().numTensors).toBe(before)
      expect(loss).toEqual(want[0])
      const difference = Math.max(...gradients.map((g, i) => relativeError(g, want[i + 1]!)))
      console.log(`${architecture}: gradients under the forced limit, largest relative difference ${difference}`)
      expect(difference).toBeLessThan(1e-6)
      adapter.dispose()
    }
    tf.dispose([ids, mask])
    model.dispose()
  })

  it("what needs a matrix or the logits whole is refused with BindingLimitError (tensor, size, limit), leaking nothing; reading parameters to the host still works", async () => {
    const model = (await load(await writeTinyCheckpoint("llama", 5), { weights: "device", maxTileBytes: limit })) as CausalLM
    const head = model.linears.get("lm_head")!
    const want = await Promise.all([...model.parameters.values()].filter(isDeviceMatrix).map((m) => parameterValues(m)))
    forceBindingLimit(limit)
    const before = tf.memory().numTensors
    const refusal = (f: () => unknown): BindingLimitError => {
      try {
        f()
      } catch (error) {
        expect(error).toBeInstanceOf(BindingLimitError)
        return error as BindingLimitError
      }
      throw new Error("not refused")
    }
    const read = refusal(() => head.readWeight())
    expect([read.tensor, read.bytes, read.limit]).toEqual(["the weight of lm_head as float32 [64, 24]", 64 * 24 * 4, limit])
    expect(read.message).toContain("600-byte limit")
    const copy = refusal(() => trainableCopy(model))
    expect(copy.tensor).toMatch(/^model\.embed_tokens\.weight as float32/)
    const ids = tf.tensor2d([[5, 9, 2, 7]], [1, 4], "int32")
    const ones = tf.onesLike(ids)
    const logits = refusal(() => causalLogits(model, frozenBase(), ids, ones))
    expect([logits.tensor, logits.bytes]).toEqual(["logits [1, 4, 64]", 4 * 64 * 4])
    tf.dispose([ids, ones])
    expect(tf.memory().numTensors).toBe(before)
    const got = await Promise.all([...model.parameters.values()].filter(isDeviceMatrix).map((m) => parameterValues(m)))
    expect(got).toEqual(want)
    forceBindingLimit(undefined)
    model.dispose()
  })

  it.each(["llama", "gpt2"] as const)("%s: quantizing a device-held base to NF4 under the limit reads each weight in row blocks, to the codes of the host placement's", async (architecture) => {
    const dir = await writeTinyCheckpoint(architecture, 5, "BF16")
    const quantizeAll = async (model: LanguageModel) => {
      const codes: Array<Array<number>> = []
      for (const module of model.linears.values()) {
        const quantized = await nf4Linear(module)
        codes.push(Array.from(quantized.quantized.codes), Array.from(quantized.quantized.absmax))
        quantized.dispose()
      }
      return codes
    }
    const host = await load(dir, { weights: "host" })
    const want = await quantizeAll(host)
    host.dispose()
    const device = await load(dir, { weights: "device", maxTileBytes: limit })
    forceBindingLimit(limit)
    const before = tf.memory().numTensors
    expect(await quantizeAll(device)).toEqual(want)
    expect(tf.memory().numTensors).toBe(before)
    forceBindingLimit(undefined)
    device.dispose()
  })
})

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the webgpu chunked-scoring checks: ${probe.reason}`)

// Forced against unforced on webgpu: the chunks' rows are the same rows, but the matmul kernels
// tfjs picks depend on the number of rows, so sums may be ordered differently (measured: printed).
// Against cpu: two backends' float32 sums. Generations (argmax) must be the same ids.
// Measured on lavapipe: forced against unforced 0 (the same bits), against cpu up to 3e-7.
const tolerance = { forced: 1e-6, cpu: 1e-5 }

describe.skipIf(!probe.available)("chunked scoring on webgpu (lavapipe)", () => {
  it.each(architectures.flatMap((a) => (["base", "lora"] as const).map((k) => [a, k] as const)))(
    "%s with %s in bf16 on the device: under a 600-byte limit as unforced and as cpu's host placement",
    async (architecture, kind) => {
      const dir = await writeTinyCheckpoint(architecture, 5, "BF16")
      await cpu.setup()
      const host = await load(dir, { weights: "host" })
      const hostAdapter = adapterOf(host, kind)
      const onCpu = await scoredUnder(undefined, host, hostAdapter)
      hostAdapter.dispose()
      host.dispose()
      await webgpu.setup()
      const model = await load(dir, { weights: "device", maxTileBytes: limit })
      const adapter = adapterOf(model, kind)
      const unforced = await scoredUnder(undefined, model, adapter)
      const forced = await scoredUnder(limit, model, adapter)
      const differences = { forced: largestDifference(forced, unforced), cpu: largestDifference(forced, onCpu) }
      console.log(`${architecture} ${kind}: relative differences ${JSON.stringify(differences)}`)
      expect(differences.forced).toBeLessThan(tolerance.forced)
      expect(differences.cpu).toBeLessThan(tolerance.cpu)
      expect([forced.generated, forced.uncached]).toEqual([unforced.generated, unforced.uncached])
      expect([forced.generated, forced.uncached]).toEqual([onCpu.generated, onCpu.uncached])
      if (kind === "base" && architecture === "llama") {
        const matrices = [...model.parameters.values()].filter(isDeviceMatrix)
        const values = await Promise.all(matrices.map((m) => parameterValues(m)))
        forceBindingLimit(limit)
        expect(() => (model as CausalLM).linears.get("lm_head")!.readWeight()).toThrow(BindingLimitError)
        expect(await Promise.all(matrices.map((m) => parameterValues(m)))).toEqual(values)
        forceBindingLimit(undefined)
      }
      adapter.dispose()
      model.dispose()
    },
  )

  it("at the device's own limit: a 32,000-word model scores 4x300-token continuations and generates from 4x300-token prompts as wasm does; its whole logits are refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-large-vocabulary-"))
    const config = { model_type: "llama", hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 512, vocab_size: 32000, rms_norm_eps: 1e-6, tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2 }
    await Effect.runPromise(Effect.asVoid(writeRandomCheckpointFiles(dir, config, 3, { dtype: "BF16" })))
    const long = Array.from({ length: 4 }, (_, r) => ({ prompt: Array.from({ length: 10 }, (_, i) => (r * 31 + i * 7) % 32000), continuation: Array.from({ length: 290 }, (_, i) => (r * 997 + i * 131) % 32000) }))
    const longPrompts = long.map((r) => [...r.prompt, ...r.continuation])
    const run = async () => {
      const model = await load(dir)
      const before = tf.memory().numTensors
      const { logProbs, mask } = continuationTokenLogProbs(model, frozenBase(), long, 0)
      const values = Array.from(await logProbs.data())
      tf.dispose([logProbs, mask])
      const generated = await generateBatch(model, frozenBase(), longPrompts, 0, { maxNewTokens: 2, eosTokenIds: [] })
      expect(tf.memory().numTensors).toBe(before)
      return { model, values, generated }
    }
    await wasm.setup()
    const want = await run()
    want.model.dispose()
    await webgpu.setup()
    const limitHere = deviceBindingLimit()!
    // 1,160 scored positions over 32,000 words are more float32 logits than one binding holds on
    // lavapipe (128 MiB); a device with a larger limit scores them in one chunk.
    const overLimit = 1160 * 32000 * 4 > limitHere
    if (!overLimit) console.warn(`this device binds ${limitHere} bytes: the 32,000-word check does not reach its limit`)
    const got = await run()
    const largest = Math.max(...want.values.map(Math.abs))
    const difference = Math.max(...got.values.map((v, i) => Math.abs(v - want.values[i]!))) / largest
    console.log(`32,000 words at the ${limitHere}-byte limit: log-probabilities within ${difference} (relative) of wasm's`)
    expect(difference).toBeLessThan(tolerance.cpu)
    expect(got.generated).toEqual(want.generated)
    const ids = tf.tensor2d(longPrompts.flat(), [4, 300], "int32")
    const ones = tf.onesLike(ids)
    if (overLimit) expect(() => causalLogits(got.model as CausalLM, frozenBase(), ids, ones)).toThrow(BindingLimitError)
    tf.dispose([ids, ones])
    got.model.dispose()
  }, 120_000)
})
