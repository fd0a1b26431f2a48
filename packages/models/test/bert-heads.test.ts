import { rmSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { classificationHead, loadEncoder, readSafetensors, spanHead, writeSafetensors, type EncoderModel, type HeadOptions, type SafetensorsTensor } from "../src/index.ts"
import { maxAbsDiff } from "./batch-helpers.ts"
import { writeTinyBert } from "./bert-fixtures.ts"

const hiddenSize = 12
const ids = [
  [2, 7, 33, 4, 39, 12, 0, 3],
  [2, 18, 5, 30, 9, 21, 14, 3],
  [2, 11, 6, 8, 25, 36, 1, 3],
]

/** Float64 x Wᵀ + b over the last axis. */
const affine = (rows: number[][], weight: Float32Array, bias: Float32Array, outputs: number): number[][] =>
  rows.map((x) => Array.from({ length: outputs }, (_, o) => x.reduce((sum, v, i) => sum + v * (weight[o * hiddenSize + i] as number), bias[o] as number)))

const randomTensor = (shape: number[], seed: number): SafetensorsTensor => {
  const rng = Rng.seeded(seed)
  return { dtype: "F32", shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) }
}
const checkpointOf = (tensors: Record<string, SafetensorsTensor>): HeadOptions["checkpoint"] => ({ tensors: new Map(Object.entries(tensors)), source: "/models/x/model.safetensors" })
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSync(effect)

beforeAll(() => cpu.setup())

describe("BERT task heads", () => {
  it("start as HF's _init_weights: normal(0, initializer_range) weights from the Rng, zero biases, under HF names", () => {
    const head = run(spanHead({ hiddenSize, initializerRange: 0.5, rng: Rng.seeded(7) }))
    const rng = Rng.seeded(7)
    const expected = Array.from({ length: 2 * hiddenSize }, () => 0.5 * rng.normal())
    const weight = head.variables.get("qa_outputs.weight")!
    expect([...head.variables.keys()]).toEqual(["qa_outputs.weight", "qa_outputs.bias"])
    expect(weight.shape).toEqual([2, hiddenSize])
    expect(maxAbsDiff([Array.from(weight.dataSync())], [expected])).toBeLessThan(1e-7)
    expect(Array.from(head.variables.get("qa_outputs.bias")!.dataSync())).toEqual([0, 0])
    const classifier = run(classificationHead({ hiddenSize, numLabels: 3, rng: Rng.seeded(7) }))
    // The default std is BertConfig's 0.02: the same draws, 25 times smaller.
    expect(maxAbsDiff([Array.from(classifier.variables.get("classifier.weight")!.dataSync()).slice(0, 24)], [expected.map((v) => v / 25)])).toBeLessThan(1e-7)
    head.dispose()
    classifier.dispose()
  })

  it("compute start/end logits [batch, time] per token and class logits [batch, labels], from a checkpoint's tensors when it has them", () => {
    const [qaWeight, qaBias, clsWeight, clsBias] = [randomTensor([2, 12], 1), randomTensor([2], 2), randomTensor([3, 12], 3), randomTensor([3], 4)]
    const checkpoint = checkpointOf({ "qa_outputs.weight": qaWeight, "qa_outputs.bias": qaBias, "classifier.weight": clsWeight, "classifier.bias": clsBias })
    const span = run(spanHead({ hiddenSize, rng: Rng.seeded(1), checkpoint }))
    const classifier = run(classificationHead({ hiddenSize, numLabels: 3, rng: Rng.seeded(1), checkpoint }))
    const hidden = tf.randomNormal([2, 5, hiddenSize], 0, 1, "float32", 9) as tf.Tensor3D
    const { start, end } = span.apply(hidden)
    expect([start.shape, end.shape]).toEqual([[2, 5], [2, 5]])
    const rows = hidden.arraySync()
    rows.forEach((tokens, b) => {
      const expected = affine(tokens, qaWeight.data, qaBias.data, 2)
      expect(maxAbsDiff([start.arraySync()[b]!, end.arraySync()[b]!], [expected.map((e) => e[0]!), expected.map((e) => e[1]!)])).toBeLessThan(1e-5)
    })
    const pooled = tf.randomNormal([4, hiddenSize], 0, 1, "float32", 10) as tf.Tensor2D
    const logits = classifier.apply(pooled)
    expect(logits.shape).toEqual([4, 3])
    expect(maxAbsDiff(logits.arraySync(), affine(pooled.arraySync(), clsWeight.data, clsBias.data, 3))).toBeLessThan(1e-5)
    tf.dispose([hidden, start, end, pooled, logits])
    span.dispose()
    classifier.dispose()
  })

  it("fail with a ModelFileError for a checkpoint head of the wrong shape or with half its tensors", () => {
    const wrongLabels = checkpointOf({ "classifier.weight": randomTensor([2, 12], 1), "classifier.bias": randomTensor([2], 2) })
    expect(run(Effect.flip(classificationHead({ hiddenSize, numLabels: 3, rng: Rng.seeded(1), checkpoint: wrongLabels })))).toMatchObject({
      _tag: "ModelFileError",
      source: "/models/x/model.safetensors",
      detail: 'tensor "classifier.weight" has shape [2, 12], but the head needs [3, 12]',
    })
    const half = checkpointOf({ "qa_outputs.weight": randomTensor([2, 12], 1) })
    expect(run(Effect.flip(spanHead({ hiddenSize, rng: Rng.seeded(1), checkpoint: half }))).detail).toBe('missing tensor "qa_outputs.bias" (the checkpoint has the other half of the head)')
    expect(() => classificationHead({ hiddenSize, numLabels: 0, rng: Rng.seeded(1) })).toThrow("numLabels: expected a positive integer, got 0")
  })

  it("round-trip through safetensors under their HF names", async () => {
    const head = run(classificationHead({ hiddenSize, numLabels: 2, rng: Rng.seeded(5) }))
    const { dir } = await writeTinyBert()
    const path = join(dir, "heads.safetensors")
    const tensors = new Map([...head.variables].map(([name, v]) => [name, { shape: v.shape, data: v.dataSync() as Float32Array }]))
    await Effect.runPromise(writeSafetensors(path, tensors))
    const reloaded = run(classificationHead({ hiddenSize, numLabels: 2, rng: Rng.seeded(6), checkpoint: { tensors: await Effect.runPromise(readSafetensors(path)), source: path } }))
    for (const [name, v] of head.variables) expect(Array.from(reloaded.variables.get(name)!.dataSync())).toEqual(Array.from(v.dataSync()))
    head.dispose()
    reloaded.dispose()
    rmSync(dir, { recursive: true })
  })
})

describe("training heads over the frozen encoder (cpu)", () => {
  let model: EncoderModel
  let dir: string
  beforeAll(async () => {
    ;({ dir } = await writeTinyBert())
    model = await Effect.runPromise(loadEncoder(dir))
  })
  afterAll(() => {
    model.dispose()
    rmSync(dir, { recursive: true })
  })
  const idsTensor = () => tf.tensor2d(ids, undefined, "int32")

  it("sends gradients to the head's variables only: the encoder's parameters are constants", () => {
    const head = run(classificationHead({ hiddenSize, numLabels: 3, rng: Rng.seeded(2) }))
    const labels = tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3)
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => tf.losses.softmaxCrossEntropy(labels, head.apply(model.pool(model.encode({ embeds: model.embed(idsTensor()) })))) as tf.Scalar),
    )
    expect(Object.keys(grads).sort()).toEqual([...head.variables.values()].map((v) => v.name).sort())
    for (const g of Object.values(grads)) expect(tf.tidy(() => tf.max(tf.abs(g)).arraySync())).toBeGreaterThan(0)
    expect([...model.parameters.values()].some((t) => t instanceof tf.Variable)).toBe(false)
    tf.dispose([value, labels, ...Object.values(grads)])
    head.dispose()
  })

  it("lowers a span loss on a tiny fixed task in a few steps, leaking nothing per step", () => {
    const head = run(spanHead({ hiddenSize, rng: Rng.seeded(3) }))
    const hidden = tf.tidy(() => model.encode({ embeds: model.embed(idsTensor()) }))
    const [starts, ends] = [tf.oneHot(tf.tensor1d([1, 3, 2], "int32"), 8), tf.oneHot(tf.tensor1d([2, 5, 6], "int32"), 8)]
    // BertForQuestionAnswering's loss: the mean of the start and end cross-entropies.
    const loss = () =>
      tf.tidy(() => {
        const { start, end } = head.apply(hidden)
        return tf.losses.softmaxCrossEntropy(starts, start).add(tf.losses.softmaxCrossEntropy(ends, end)).div(2) as tf.Scalar
      })
    const optimizer = tf.train.adam(0.1)
    const step = () => optimizer.minimize(loss, false, [...head.variables.values()])
    const startLoss = tf.tidy(() => loss().arraySync())
    step()
    const tensors = tf.memory().numTensors
    for (let i = 0; i < 39; i++) step()
    expect(tf.memory().numTensors).toBe(tensors)
    const endLoss = tf.tidy(() => loss().arraySync())
    expect(startLoss).toBeGreaterThan(1.9)
    expect(endLoss).toBeLessThan(0.5 * startLoss)
    optimizer.dispose()
    tf.dispose([hidden, starts, ends])
    head.dispose()
  })
})
