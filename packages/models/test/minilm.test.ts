// peftlab on real pretrained weights: all-MiniLM-L6-v2 (a trained 6-layer uncased BERT, the one
// pretrained model these machines have; see @peftlab/testkit/pretrained). Where the goldens venv
// is installed, the Hugging Face stack runs live on the same folder in one python process
// (packages/references/python/encoder_hidden_states.py): tokenizer.json through `tokenizers`
// gives the ids peftlab's tokenizer gives, transformers' last hidden states match peftlab's
// within 1e-4 in float32, and sentence-transformers' embedding (mean over the real tokens, then
// L2-normalised, as the folder's modules.json says) matches the same pooling of peftlab's states.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { encoderHiddenStates, goldensPython, type EncoderStatesAnswer } from "@peftlab/references"
import { allMiniLmL6V2 } from "@peftlab/testkit/pretrained"
import { loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadEncoder, type EncoderModel } from "../src/index.ts"
import { maxAbsDiff, padBatch } from "./batch-helpers.ts"

const tolerance = 1e-4
const found = allMiniLmL6V2()
if (found.dir === undefined) console.warn(`skipping the all-MiniLM-L6-v2 tests: ${found.reason}`)
const python = goldensPython()
if (found.dir && !python) console.warn("skipping the live all-MiniLM-L6-v2 checks against transformers: no .venv-goldens python")

// Clinical sentences of different lengths: abbreviations, doses, punctuation, an accented word.
const texts = [
  "Patient denies chest pain.",
  "Started metoprolol 25 mg PO BID for rate control of atrial fibrillation.",
  "CT abdomen/pelvis: no acute findings; follow-up with Dr. Müller in 2 weeks.",
  "HbA1c 8.2% despite metformin, so insulin glargine was added at bedtime.",
  "No known drug allergies.",
]

/** Last hidden states of the texts in one right-padded batch, each row cut to its own length. */
const peftlabStates = (model: EncoderModel, ids: ReadonlyArray<ReadonlyArray<number>>): number[][][] => {
  const states = tf.tidy(() => {
    const { ids: padded, mask } = padBatch(ids, "right")
    return model.encode({ embeds: model.embed(padded), attentionMask: mask }).arraySync()
  })
  return states.map((row, i) => row.slice(0, ids[i]!.length))
}

/** sentence-transformers' Pooling (mean over the real tokens) then Normalize. */
const sentenceEmbedding = (states: ReadonlyArray<ReadonlyArray<number>>): number[] => {
  const mean = states[0]!.map((_, k) => states.reduce((sum, token) => sum + token[k]!, 0) / states.length)
  const norm = Math.hypot(...mean)
  return mean.map((v) => v / norm)
}

describe.skipIf(!found.dir)("all-MiniLM-L6-v2 (real pretrained BERT, cpu)", () => {
  let model: EncoderModel
  let tokenizer: Tokenizer
  beforeAll(async () => {
    await cpu.setup()
    model = await Effect.runPromise(loadEncoder(found.dir!))
    tokenizer = await Effect.runPromise(loadTokenizer(found.dir!))
  })
  afterAll(() => model.dispose())

  it("loads as BertModel's 6 layers of 12 heads over 384 dims, 22.7M parameters, uncased WordPiece", () => {
    expect(model.dims).toMatchObject({ hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, head_dim: 32, vocab_size: 30522 })
    // embeddings 30522*384 + 512*384 + 2*384 + 768; per layer 4*(384*384+384) + 768 + 2*(384*1536) + 1536 + 384 + 768; pooler 384*384+384
    expect(model.parameterCount()).toBe(22_713_216)
    expect(tokenizer.encode("Patient denies chest pain.")).toEqual([101, 5776, 23439, 3108, 3255, 1012, 102])
  })

  it("gives trained states: a sentence is nearer its paraphrase than an unrelated one", () => {
    const sentences = ["The patient has a fever.", "The patient is febrile.", "The invoice was paid in March."]
    const ids = sentences.map((text) => tokenizer.encode(text))
    const [a, b, c] = peftlabStates(model, ids).map(sentenceEmbedding)
    const cosine = (x: number[], y: number[]) => x.reduce((s, v, k) => s + v * y[k]!, 0)
    // Unit vectors; a random encoder puts all three about equally apart.
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.3)
  })

  describe.runIf(python !== undefined)("live against the Hugging Face stack (.venv-goldens)", () => {
    let answer: EncoderStatesAnswer
    let ours: number[][][]
    beforeAll(async () => {
      answer = await encoderHiddenStates(python!, found.dir!, texts)
      ours = peftlabStates(model, texts.map((text) => tokenizer.encode(text)))
    }, 180_000)

    it("peftlab's tokenizer gives tokenizers' ids for tokenizer.json, [CLS] and [SEP] included", () => {
      expect(texts.map((text) => tokenizer.encode(text))).toEqual(answer.ids)
    })

    it(`last hidden states within ${tolerance} of transformers' (float32), every text of a right-padded batch`, () => {
      answer.hidden.forEach((theirs, i) => {
        // The states are not small: 1e-4 is far below their spread.
        expect(Math.max(...theirs.flat().map(Math.abs))).toBeGreaterThan(1)
        expect(maxAbsDiff(ours[i]!, theirs)).toBeLessThan(tolerance)
      })
    })

    it(`mean-pooled, normalised sentence embeddings within ${tolerance} of sentence-transformers'`, () => {
      expect(maxAbsDiff(ours.map(sentenceEmbedding), answer.sentence_embedding)).toBeLessThan(tolerance)
    })
  })
})
