import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Events } from "@peftlab/core"
import type { QAExample } from "@peftlab/datasets"
import { continuationTokenLogProbs, rouge } from "@peftlab/evaluators"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { isGenerativeQa, type ExperimentSpec } from "@peftlab/spec"
import { INSTRUCTION_TEMPLATE, loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { builtinRegistryLayer, checkRegisteredNames, compareGenerationsWithBaseline, encodeQA, evaluateQA, qaTraining, testPassHere, type GenerationRow } from "../src/index.ts"
import { decodeSmall, edit, qaSpecText } from "./fixtures.ts"

describe("a generative-qa spec against the registry", () => {
  it("accepts medquad data and generation metrics", async () => {
    const loaded = await decodeSmall(qaSpecText)
    expect(isGenerativeQa(loaded.spec.task)).toBe(true)
    await Effect.runPromise(checkRegisteredNames(loaded).pipe(Effect.provide(builtinRegistryLayer)))
  })

  it("refuses classification data and classification metrics, naming the generation metrics", async () => {
    const text = edit(edit(qaSpecText, "kind: medquad", "kind: pubmedqa"), "[rougeL, bleu]", "[rougeL, accuracy]")
    const error = await Effect.runPromise(Effect.flip(checkRegisteredNames(await decodeSmall(text)).pipe(Effect.provide(builtinRegistryLayer))))
    expect(error.issues.map((issue) => [issue.path, issue.expected])).toStrictEqual([
      ["data.kind", "a data kind of question-answer pairs (task.kind is generative-qa); labelled examples need task.kind classification"],
      ["evaluation.metrics[1]", "one of rouge1, rouge2, rougeL, bleu, token_f1, fk_grade, smog, perplexity, latency, trainable_params"],
    ])
  })
})

describe("compareGenerationsWithBaseline", () => {
  const row = (id: string, rougeL: number): GenerationRow => ({ id, reference: "", generated: "", rouge1: 0, rouge2: 0, rougeL, token_f1: 0 })
  it("bootstraps the paired per-example ROUGE-L difference, aligned by example id", async () => {
    const spec = { ...(await decodeSmall(qaSpecText)).spec, arms: [{ name: "base" }, { name: "lora" }] } as unknown as ExperimentSpec
    const base = [row("a", 0.2), row("b", 0.4), row("c", 0)]
    const lora = [row("c", 0.3), row("a", 0.5), row("b", 0.4)]
    const [comparison] = compareGenerationsWithBaseline(spec, new Map([["base", base], ["lora", lora]]))
    // Means 0.4 vs 0.2 (hand-computed); every difference is >= 0, so no resample lies below 0.
    expect(comparison).toMatchObject({ arm: "lora", baseline: "base", n: 3 })
    expect(comparison!.bootstrap!.rougeL!.observed).toBeCloseTo(0.2, 12)
    expect(comparison!.bootstrap!.rougeL!.ci95[0]).toBeGreaterThanOrEqual(0)
  })
})

const silentEvents = Layer.succeed(Events, { emit: () => Effect.void })

describe("generative QA on stories260k", () => {
  let model: CausalLM
  let tokenizer: Tokenizer
  let spec: ExperimentSpec
  const examples: Array<QAExample> = [
    { id: "q1", question: "What is high blood pressure?", answer: "Blood pressure that stays high.", metadata: {} },
    { id: "q2", question: "Who gets gout? ".repeat(30), answer: "Mostly adults.", metadata: {} },
  ]
  beforeAll(async () => {
    await wasm.setup()
    const path = stories260kDir
    model = await Effect.runPromise(loadCausalLM(path))
    tokenizer = await Effect.runPromise(loadTokenizer(path))
    const decoded = (await decodeSmall(qaSpecText)).spec
    // stories260k's vocabulary is small, so text takes many tokens.
    spec = { ...decoded, training: { ...decoded.training, max_length: 160 } }
  })
  afterAll(() => model?.dispose())

  const taskOf = (s: ExperimentSpec) => {
    if (!isGenerativeQa(s.task)) throw new Error("expected a generative-qa spec")
    return s.task
  }

  it("encodes the instruction prompt and the response plus eos, shortening only the question", async () => {
    const [short, long] = await Effect.runPromise(encodeQA(spec, taskOf(spec), tokenizer, examples))
    expect(tokenizer.decode([...short!.prompt], { skipSpecialTokens: true })).toBe(INSTRUCTION_TEMPLATE.replace("{instruction}", "Answer: What is high blood pressure?"))
    expect(short!.response.at(-1)).toBe(tokenizer.eosId)
    expect(tokenizer.decode([...short!.response], { skipSpecialTokens: true })).toBe("Blood pressure that stays high.")
    expect(long!.prompt.length + long!.response.length).toBeLessThanOrEqual(160)
    // The question lost its end; the template around it is whole.
    expect(tokenizer.decode([...long!.prompt], { skipSpecialTokens: true })).toMatch(/^### Instruction:\nAnswer: Who gets gout\? Who[^]*\n\n### Response:\n$/)
    expect(long!.prompt.length).toBeLessThan(tokenizer.encode(examples[1]!.question, { addSpecialTokens: false }).length)
  })

  it("refuses an answer that leaves the question no room, in the spec's terms, and cuts it to task.max_answer_tokens", async () => {
    const long = [{ id: "q3", question: "Why?", answer: "Because it stays high. ".repeat(40), metadata: {} }]
    const error = await Effect.runPromise(Effect.flip(encodeQA(spec, taskOf(spec), tokenizer, long)))
    expect(error.source).toBe("training.max_length")
    expect(error.detail).toBe("example q3: its answer leaves no room for the question in training.max_length 160; set task.max_answer_tokens below 160 (longer answers are cut to it) or raise training.max_length")
    const capped = { ...spec, task: { ...taskOf(spec), max_answer_tokens: 40 } }
    const [encoded] = await Effect.runPromise(encodeQA(capped, taskOf(capped), tokenizer, long))
    expect(encoded!.response).toHaveLength(40)
  })

  it("trains and validates on the response tokens' NLL per token (tolerance 1e-4)", async () => {
    const encoded = await Effect.runPromise(encodeQA(spec, taskOf(spec), tokenizer, examples))
    const setup = { model, adapter: frozenBase(), tokenizer, batchSize: 2 }
    const training = qaTraining(setup, encoded, encoded)
    const loss = training.loss(encoded)
    const rows = encoded.map((e) => ({ prompt: e.prompt, continuation: e.response }))
    const { logProbs, mask } = continuationTokenLogProbs(model, frozenBase(), rows, tokenizer.padId)
    const [lp, m] = [Array.from(await logProbs.data()), Array.from(await mask.data())]
    const tokens = m.reduce((s, v) => s + v, 0)
    const expected = -lp.reduce((s, v, i) => s + (m[i]! > 0 ? v : 0), 0) / tokens
    expect(tokens).toBe(encoded.reduce((s, e) => s + e.response.length, 0))
    expect((await loss.data())[0]).toBeCloseTo(expected, 4)
    const validation = await Effect.runPromise(training.validate(1))
    expect(validation).toMatchObject({ metric: "loss", higherIsBetter: false })
    expect(validation.value).toBeCloseTo(expected, 4)
    tf.dispose([loss, logProbs, mask])
  })

  it("generates each answer greedily and scores it against its reference", async () => {
    const encoded = await Effect.runPromise(encodeQA(spec, taskOf(spec), tokenizer, examples))
    const setup = { model, adapter: frozenBase(), tokenizer, batchSize: 2 }
    const before = tf.memory().numTensors
    const { rows, metrics, latency } = await Effect.runPromise(evaluateQA(setup, encoded, 4, testPassHere("base")).pipe(Effect.provide(silentEvents)))
    expect(tf.memory().numTensors).toBe(before)
    expect(rows.map((r) => r.id)).toEqual(["q1", "q2"])
    for (const r of rows) expect(r.rougeL).toBeCloseTo(rouge(r.reference, r.generated).rougeL.fmeasure, 12)
    expect(metrics.rougeL).toBeCloseTo((rows[0]!.rougeL + rows[1]!.rougeL) / 2, 12)
    expect(metrics.perplexity).toBeGreaterThan(1)
    expect(latency.mean).toBeGreaterThan(0)
  })
})
