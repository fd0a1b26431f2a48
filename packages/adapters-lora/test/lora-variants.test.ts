// DoRA, the gaussian and OLoRA inits and LoRA+ beside plain LoRA (PEFT 0.21.2's numbers are in
// peft-goldens.test.ts): what holds by construction, checked on a tiny random Llama. Each init
// starts out computing the base; DoRA's magnitude starts at the row norms and its merge folds the
// same function; OLoRA's residual plus its factors is the base weight; LoRA+ names B and the
// magnitude for lr * ratio; DoRA's gradients reach B and m and free what they made.
import { rmSync } from "node:fs"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { causalLogits, frozenBase } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import { loadModel, type BaseModel } from "@peftlab/models"
import { goldenBases, paddedBatch, writeGoldenBase } from "@peftlab/testkit/peft-goldens"
import { createLora, type LoraConfig } from "../src/index.ts"

let model: BaseModel
const config: LoraConfig = { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: ["q_proj", "v_proj", "down_proj"], useRslora: false, bias: "none" }
const ids = () => tf.tensor2d(paddedBatch.ids as number[][], undefined, "int32")
const mask = () => tf.tensor2d(paddedBatch.mask as number[][], undefined, "int32")
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number)
const maxAbs = (a: tf.Tensor) => tf.tidy(() => a.abs().max().dataSync()[0] as number)

beforeAll(async () => {
  await tf.setBackend("cpu")
  const dir = await writeGoldenBase(goldenBases.llama)
  model = await Effect.runPromise(loadModel(dir))
  rmSync(dir, { recursive: true })
})
afterAll(() => model.dispose())

/** Logits of the adapter and of the bare base on the padded batch. */
const logitsBoth = (adapter: ReturnType<typeof createLora>) =>
  tf.tidy(() => [causalLogits(model as never, adapter, ids(), mask()), causalLogits(model as never, frozenBase(), ids(), mask())] as const)

describe("LoRA variants", () => {
  it.each([
    ["dora", { useDora: true }],
    ["gaussian", { initLoraWeights: "gaussian" }],
    ["olora", { initLoraWeights: "olora" }],
    ["olora + dora", { initLoraWeights: "olora", useDora: true }],
  ] as const)("%s starts out computing the base (within 1e-5)", (_, variant) => {
    const adapter = createLora(model, { ...config, ...variant }, Rng.seeded(1))
    const [ours, base] = logitsBoth(adapter)
    expect(maxDiff(ours, base)).toBeLessThan(1e-5)
    tf.dispose([ours, base])
    adapter.dispose()
  })

  it("gaussian draws A with std 1/r (within 10%) and B zero", () => {
    const adapter = createLora(model, { ...config, initLoraWeights: "gaussian" }, Rng.seeded(2))
    const values = [...adapter.modules.values()].flatMap((m) => Array.from(m.loraA.dataSync()))
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length)
    expect(Math.abs(std - 1 / config.r) / (1 / config.r)).toBeLessThan(0.1)
    adapter.modules.forEach((m) => expect(maxAbs(m.loraB)).toBe(0))
    adapter.dispose()
  })

  it("olora: the frozen residual plus scale B A is the base weight, and B has orthonormal columns (within 1e-5)", () => {
    const adapter = createLora(model, { ...config, initLoraWeights: "olora" }, Rng.seeded(3))
    for (const m of adapter.modules.values()) {
      tf.tidy(() => {
        expect(maxDiff(m.readWeight().add(tf.matMul(m.loraB, m.loraA).mul(m.scale)), m.base.readWeight())).toBeLessThan(1e-5)
        expect(maxDiff(tf.matMul(m.loraB, m.loraB, true, false), tf.eye(config.r))).toBeLessThan(1e-5)
      })
    }
    adapter.dispose()
  })

  it("dora: the magnitude starts at the row norms, is saved as lora_magnitude_vector, and merge folds the same function (within 1e-5)", () => {
    const adapter = createLora(model, { ...config, useDora: true }, Rng.seeded(4))
    const rng = Rng.seeded(5)
    adapter.modules.forEach((m) =>
      tf.tidy(() => {
        expect(maxDiff(m.magnitude!, m.base.readWeight().square().sum(1).sqrt())).toBeLessThan(1e-6)
        m.loraB.assign(tf.tensor2d(Float32Array.from({ length: m.loraB.size }, () => 0.3 * rng.normal()), m.loraB.shape))
        m.magnitude!.assign(m.magnitude!.mul(1.2))
      }),
    )
    expect([...adapter.peftTensors().keys()].filter((k) => k.endsWith("lora_magnitude_vector"))).toHaveLength(adapter.modules.size)
    expect(adapter.peftConfig()["use_dora"]).toBe(true)
    const [unmerged, base] = logitsBoth(adapter)
    expect(maxDiff(unmerged, base)).toBeGreaterThan(1e-2)
    adapter.merge()
    const [merged, again] = logitsBoth(adapter)
    expect(maxDiff(merged, unmerged)).toBeLessThan(1e-5)
    adapter.unmerge()
    tf.dispose([unmerged, base, merged, again])
    adapter.dispose()
  })

  it("LoRA+: B and DoRA's magnitude at the ratio, A at 1; none without it", () => {
    const plain = createLora(model, config, Rng.seeded(6))
    expect(plain.learningRateScales()).toBeUndefined()
    plain.dispose()
    const adapter = createLora(model, { ...config, useDora: true, loraplusLrRatio: 16 }, Rng.seeded(6))
    const scales = adapter.learningRateScales()!
    adapter.modules.forEach((m) => {
      expect(scales.get(m.loraA)).toBe(1)
      expect(scales.get(m.loraB)).toBe(16)
      expect(scales.get(m.magnitude!)).toBe(16)
    })
    expect(adapter.peftConfig()).not.toHaveProperty("loraplus_lr_ratio")
    adapter.dispose()
  })

  it("dora: gradients reach B and m (none through the detached norm) and leaves tf.memory() flat", () => {
    const adapter = createLora(model, { ...config, useDora: true, loraDropout: 0.2 }, Rng.seeded(7))
    adapter.setTraining(true)
    const before = tf.memory().numTensors
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => causalLogits(model as never, adapter, ids(), mask()).square().mean() as tf.Scalar), [...adapter.trainable])
    const m = [...adapter.modules.values()][0]!
    // B is zero: A's gradient flows only through B, so it is zero; B's and m's are not.
    expect(maxAbs(grads[m.loraB.name]!)).toBeGreaterThan(0)
    expect(maxAbs(grads[m.magnitude!.name]!)).toBeGreaterThan(0)
    tf.dispose([value, ...Object.values(grads)])
    expect(tf.memory().numTensors).toBe(before)
    adapter.dispose()
  })
})
