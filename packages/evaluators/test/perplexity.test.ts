import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { loadModel, type CausalLM, type Seq2SeqLM } from "@peftlab/models"
import { writeTinyCheckpoint } from "@peftlab/testkit"
import { MetricInputError, nllTotal, perplexity, referencePerplexity, type LanguageModel } from "../src/index.ts"

describe("perplexity", () => {
  it("pools NLL over all tokens: exp(Σ nll / Σ tokens)", () => {
    expect(perplexity([{ nll: 2, tokens: 1 }, { nll: 4, tokens: 3 }])).toBeCloseTo(Math.exp(6 / 4), 12)
    expect(perplexity([{ nll: 0, tokens: 5 }])).toBe(1)
  })

  it("rejects no tokens and impossible parts", () => {
    expect(() => perplexity([])).toThrow(/no tokens/)
    expect(() => perplexity([{ nll: -1, tokens: 1 }])).toThrow(MetricInputError)
    expect(() => perplexity([{ nll: 1, tokens: 0.5 }])).toThrow(MetricInputError)
  })

  it("nllTotal adds −log p over the masked positions", async () => {
    await tf.setBackend("cpu")
    const logProbs = tf.tensor2d([[-1, -2, -9], [-0.5, -7, -7]])
    const mask = tf.tensor2d([[1, 1, 0], [1, 0, 0]])
    expect(await nllTotal(logProbs, mask)).toEqual({ nll: 3.5, tokens: 3 })
    tf.dispose([logProbs, mask])
  })
})

// Reference: one plain forward per row, log-softmax, −log p of each continuation token at the
// position that predicts it, pooled over all rows.
const directNll = (model: LanguageModel, prompt: number[], continuation: number[]): number =>
  tf.tidy(() => {
    if (model.kind === "causal") {
      const ids = [...prompt, ...continuation]
      const logits = (model as CausalLM).forward({ embeds: model.embed(tf.tensor2d([ids], [1, ids.length], "int32")) })
      const logProbs = tf.logSoftmax(logits).arraySync() as number[][][]
      return -continuation.reduce((sum, token, j) => sum + logProbs[0]![prompt.length - 1 + j]![token]!, 0)
    }
    const t5 = model as Seq2SeqLM
    const encoderHidden = t5.encode({ embeds: t5.embed(tf.tensor2d([prompt], undefined, "int32")) })
    const decoderIds = [t5.decoderStartTokenId, ...continuation.slice(0, -1)]
    const logits = t5.decode({ embeds: t5.embed(tf.tensor2d([decoderIds], undefined, "int32")), encoderHidden })
    const logProbs = tf.logSoftmax(logits).arraySync() as number[][][]
    return -continuation.reduce((sum, token, j) => sum + logProbs[0]![j]![token]!, 0)
  })

describe.each(["gpt2", "t5"] as const)("referencePerplexity on a tiny %s (cpu)", (architecture) => {
  let model: LanguageModel
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = (await Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 3)))) as LanguageModel
  })

  const rows = [
    { prompt: [5, 9, 12], continuation: [20, 21, 2] },
    { prompt: [7], continuation: [30] },
    { prompt: [3, 4, 5, 6, 8], continuation: [40, 41] },
  ]

  it("equals exp(total NLL / total tokens) from direct forward passes, batched or not (tolerance 1e-5 relative)", async () => {
    const nll = rows.reduce((s, r) => s + directNll(model, r.prompt, r.continuation), 0)
    const expected = Math.exp(nll / 6)
    for (const batchSize of [1, 2, 8]) {
      const result = await referencePerplexity(model, frozenBase(), rows, 0, batchSize)
      expect(result.tokens).toBe(6)
      expect(Math.abs(result.nll - nll) / nll).toBeLessThan(1e-5)
      expect(Math.abs(result.perplexity - expected) / expected).toBeLessThan(1e-5)
    }
  })

  it("leaves no tensors behind and rejects a bad batch size", async () => {
    const before = tf.memory().numTensors
    await referencePerplexity(model, frozenBase(), rows, 0, 2)
    expect(tf.memory().numTensors).toBe(before)
    await expect(referencePerplexity(model, frozenBase(), rows, 0, 0)).rejects.toThrow(MetricInputError)
  })
})
