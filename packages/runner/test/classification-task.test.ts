import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { classificationTraining, encodedTask, prepareData, scoreAll, testPredictor, unparsedAnswer, validationOf, type EncodedExample } from "../src/index.ts"
import { quickstartSpec } from "./fixtures.ts"

describe("classification through the LM head", () => {
  let model: CausalLM
  let tokenizer: Tokenizer
  let examples: Array<EncodedExample>
  let setup: Parameters<typeof scoreAll>[0]
  beforeAll(async () => {
    await wasm.setup()
    const spec = await quickstartSpec()
    model = await Effect.runPromise(loadCausalLM(spec.model.path))
    tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const data = await Effect.runPromise(prepareData(spec))
    const task = encodedTask(spec, tokenizer, data.labels)
    examples = await Effect.runPromise(task.encode(data.splits.val.slice(0, 6)))
    setup = { model, adapter: frozenBase(), task, padId: tokenizer.padId, batchSize: 4 }
  })
  afterAll(() => model?.dispose())

  it("trains on the same quantity it scores: the batch loss is the gold verbalizers' NLL per token (tolerance 1e-4)", async () => {
    const training = classificationTraining(setup, examples, examples, "loss")
    const loss = training.loss(examples)
    const scored = await scoreAll(setup, examples)
    const goldTokens = examples.reduce((sum, e) => sum + setup.task.labelIds[e.label]!.length, 0)
    const expected = -examples.reduce((sum, e, i) => sum + scored[i]!.scores[e.label]!, 0) / goldTokens
    expect(Math.abs(loss.dataSync()[0]! - expected)).toBeLessThan(1e-4)
    loss.dispose()
  })

  it("validates by the chosen metric, with loss lower-is-better and the training loss beside it", async () => {
    const byLoss = await validationOf(setup, examples, "loss")
    expect(byLoss).toMatchObject({ metric: "loss", higherIsBetter: false })
    const trainingLoss = classificationTraining(setup, examples, examples, "loss").loss(examples)
    expect(Math.abs(byLoss.value - trainingLoss.dataSync()[0]!)).toBeLessThan(1e-4)
    trainingLoss.dispose()
    const accuracy = await validationOf(setup, examples, "accuracy")
    const scored = await scoreAll(setup, examples)
    const correct = examples.filter((e, i) => scored[i]!.predicted === e.label).length
    expect(accuracy).toEqual({ metric: "accuracy", value: correct / examples.length, higherIsBetter: true, loss: byLoss.value })
  })
})

describe("test predictions by generation (evaluation.mode generate)", () => {
  it("reads one greedy token as the label whose verbalizer it is, or as unparsed, matching the model's argmax", async () => {
    await wasm.setup()
    const spec = await quickstartSpec()
    const model = await Effect.runPromise(loadCausalLM(spec.model.path))
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const data = await Effect.runPromise(prepareData(spec))
    const task = encodedTask(spec, tokenizer, data.labels)
    const examples = await Effect.runPromise(task.encode(data.splits.val.slice(0, 4)))
    const setup = { model, adapter: frozenBase(), task, padId: tokenizer.padId, batchSize: 4 }
    const generating = { ...spec, evaluation: { ...spec.evaluation, mode: "generate" as const, max_new_tokens: 1 } }
    const predict = testPredictor(generating, tokenizer)
    for (const example of examples) {
      // Independently: the argmax of the next-token logits after the prompt.
      const next = tf.tidy(() => {
        const logits = model.forward({ embeds: model.embed(tf.tensor2d([[...example.prompt]], undefined, "int32")) })
        return logits.slice([0, example.prompt.length - 1, 0], [1, 1, -1]).flatten().argMax().dataSync()[0]!
      })
      const labelled = task.labels.find((_, k) => task.labelIds[k]!.length === 1 && task.labelIds[k]![0] === next)
      const word = tokenizer.decode([next], { skipSpecialTokens: true }).trim().toLowerCase()
      const expected = labelled ?? (task.labels.includes(word) ? word : unparsedAnswer)
      const { pred, score } = await predict(setup, example)
      expect(pred).toBe(expected)
      expect(score).toBeNaN()
    }
    model.dispose()
  })
})
