import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { loadCausalLM, loadModel, type CausalLM, type Seq2SeqLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { writeTinyCheckpoint } from "@peftlab/testkit"
import { scoreLabels } from "../src/index.ts"

// Reference: run the model on prompt ++ label and add up log-softmax of each label token at
// the position before it, one plain forward per candidate.
const reference = (model: CausalLM, prompt: number[], label: number[]): number =>
  tf.tidy(() => {
    const ids = [...prompt, ...label]
    const logits = model.forward({ embeds: model.embed(tf.tensor2d([ids], [1, ids.length], "int32")) })
    const logProbs = tf.logSoftmax(logits).arraySync() as number[][][]
    return label.reduce((sum, token, j) => sum + logProbs[0]![prompt.length - 1 + j]![token]!, 0)
  })

describe("scoreLabels on stories260k", () => {
  let model: CausalLM
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  const prompts = [
    [1, 403, 407, 261, 378, 432],
    [1, 378, 432, 383],
  ]
  const labels = [[13], [286, 261]] // a one-token and a two-token verbalizer

  it("scores each label as the summed log-probability of its tokens after the prompt (tolerance 1e-5)", async () => {
    const scored = await scoreLabels(model, frozenBase(), prompts, labels, 0)
    prompts.forEach((prompt, i) =>
      labels.forEach((label, k) => expect(Math.abs(scored[i]!.scores[k]! - reference(model, prompt, label))).toBeLessThan(1e-5)),
    )
  })

  it("predicts the highest score with its softmax share as confidence, and batching changes nothing", async () => {
    const together = await scoreLabels(model, frozenBase(), prompts, labels, 0)
    const alone = await Promise.all(prompts.map(async (p) => (await scoreLabels(model, frozenBase(), [p], labels, 0))[0]!))
    together.forEach((s, i) => {
      const best = s.scores[0]! >= s.scores[1]! ? 0 : 1
      expect(s.predicted).toBe(best)
      const shares = s.scores.map((x) => Math.exp(x)).map((e, _, all) => e / all.reduce((a, b) => a + b, 0))
      expect(s.confidence).toBeCloseTo(shares[best]!, 6)
      s.scores.forEach((x, k) => expect(Math.abs(x - alone[i]!.scores[k]!)).toBeLessThan(1e-5))
    })
  })

  it("leaves no tensors behind", async () => {
    const before = tf.memory().numTensors
    await scoreLabels(model, frozenBase(), prompts, labels, 0)
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe("scoreLabels on an encoder-decoder (tiny T5, cpu)", () => {
  // Reference: encode the prompt, decode [start, label...] and add up log-softmax of each label
  // token at the position before it, one plain encode/decode per candidate.
  const reference = (model: Seq2SeqLM, prompt: number[], label: number[]): number =>
    tf.tidy(() => {
      const encoderHidden = model.encode({ embeds: model.embed(tf.tensor2d([prompt], undefined, "int32")) })
      const decoderIds = [model.decoderStartTokenId, ...label.slice(0, -1)]
      const logits = model.decode({ embeds: model.embed(tf.tensor2d([decoderIds], undefined, "int32")), encoderHidden })
      const logProbs = tf.logSoftmax(logits).arraySync() as number[][][]
      return label.reduce((sum, token, j) => sum + logProbs[0]![j]![token]!, 0)
    })

  it("scores each label as the log-probability of its tokens as the decoder's target, batched and padded (tolerance 1e-5)", async () => {
    await tf.setBackend("cpu")
    const model = (await Effect.runPromise(loadModel(await writeTinyCheckpoint("t5", 9)))) as Seq2SeqLM
    const prompts = [[4, 19, 33, 7, 1], [12, 5, 1]]
    const labels = [[21], [30, 14]]
    const scored = await scoreLabels(model, frozenBase(), prompts, labels, 0)
    prompts.forEach((prompt, i) =>
      labels.forEach((label, k) => expect(Math.abs(scored[i]!.scores[k]! - reference(model, prompt, label))).toBeLessThan(1e-5)),
    )
    model.dispose()
  })
})
