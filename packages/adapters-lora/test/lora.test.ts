import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { trainOnFixedTask } from "@peftlab/testkit"
import { trainableParameterCount, causalLogits } from "@peftlab/adapters-base"
import { plugin } from "@peftlab/backend-wasm"
import { Rng } from "@peftlab/core"
import { loadCausalLM, quantizeModelLinears, type CausalLM, type Parameter } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { createLora, createLoraModel, type LoraAdapter, type LoraConfig } from "../src/index.ts"

const qkv: LoraConfig = { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: ["q_proj", "k_proj", "v_proj"], useRslora: false, bias: "none" }
const rows = [
  [1, 403, 407, 261, 13],
  [1, 378, 432, 383, 13],
]
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]!)
const bytes = (t: Parameter): string => Buffer.from((t as tf.Tensor).dataSync().buffer).toString("base64")

describe("LoRA on stories260k", () => {
  let model: CausalLM
  let ids: tf.Tensor2D
  let mask: tf.Tensor2D
  const baseLogits = () => tf.tidy(() => model.forward({ embeds: model.embed(ids), attentionMask: mask }))
  // B is zero at creation; random values make each adapter change the model.
  const perturb = (adapter: LoraAdapter, seed: number) =>
    adapter.modules.forEach((m, name) => m.loraB.assign(tf.tidy(() => tf.randomNormal(m.loraB.shape, 0, 0.1, "float32", seed + name.length))))

  beforeAll(async () => {
    await plugin.setup()
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
    ids = tf.tensor2d(rows, [2, 5], "int32")
    mask = tf.onesLike(ids) as tf.Tensor2D
  })
  afterAll(() => {
    tf.dispose([ids, mask])
    model?.dispose()
  })

  it("trains r * (in + out) per targeted module", () => {
    const adapter = createLora(model, qkv, Rng.seeded(1))
    const expected = [...adapter.modules.values()].reduce((sum, m) => sum + qkv.r * (m.shape[0] + m.shape[1]), 0)
    // By hand: 5 layers x 4 x ((64 + 64) + (64 + 32) + (64 + 32)) = 6400.
    expect(expected).toBe(6400)
    expect(trainableParameterCount(adapter)).toBe(expected)
    expect(adapter.modules.size).toBe(15)
    adapter.dispose()
  })

  it("picks the same modules from a regex as from a list, and rejects targets that match nothing", () => {
    const fromList = createLora(model, qkv, Rng.seeded(1))
    const fromRegex = createLora(model, { ...qkv, targetModules: "model\\.layers\\.\\d+\\.self_attn\\.(q|k|v)_proj" }, Rng.seeded(1))
    expect([...fromRegex.modules.keys()]).toEqual([...fromList.modules.keys()])
    expect(fromRegex.peftConfig().target_modules).toBe("model\\.layers\\.\\d+\\.self_attn\\.(q|k|v)_proj")
    expect(() => createLora(model, { ...qkv, targetModules: "q_proj|k_proj" }, Rng.seeded(1))).toThrow(/match none/)
    fromList.dispose()
    fromRegex.dispose()
  })

  it("scales the update by alpha / sqrt(r) with rslora", () => {
    const plain = createLora(model, { ...qkv, r: 16, loraAlpha: 32 }, Rng.seeded(1))
    const rs = createLora(model, { ...qkv, r: 16, loraAlpha: 32, useRslora: true }, Rng.seeded(1))
    expect(plain.scale).toBe(2)
    expect(rs.scale).toBe(8)
    expect(rs.peftConfig().use_rslora).toBe(true)
    // Same A and B (same seed, same perturbation): every update is 4x the plain one.
    perturb(plain, 3)
    perturb(rs, 3)
    const x = tf.randomNormal([2, 64], 0, 1, "float32", 9)
    const update = (a: LoraAdapter) => tf.tidy(() => { const m = [...a.modules.values()][0]!; return m.apply(x).sub(m.base.apply(x)) })
    const [u, v] = [update(plain), update(rs)]
    expect(maxAbsDiff(v, u.mul(4))).toBeLessThan(1e-5)
    tf.dispose([x, u, v])
    plain.dispose()
    rs.dispose()
  })

  it("gives exactly the base's logits at step 0, also with dropout on, and puts the model's modules back", () => {
    const originals = new Map(model.linears)
    const adapter = createLora(model, { ...qkv, loraDropout: 0.1 }, Rng.seeded(2))
    adapter.setTraining(true)
    const [base, got] = [baseLogits(), causalLogits(model, adapter, ids, mask)]
    expect(maxAbsDiff(got, base)).toBe(0)
    for (const [name, module] of model.linears) expect(module, name).toBe(originals.get(name))
    expect(() => causalLogits({ ...model }, adapter, ids, mask)).toThrow(/another model/)
    tf.dispose([base, got])
    adapter.dispose()
  })

  it("gives the same logits merged as unmerged (within 1e-5 relative), without touching the base", () => {
    const before = new Map([...model.parameters].map(([name, t]) => [name, bytes(t)]))
    const adapter = createLora(model, qkv, Rng.seeded(3))
    perturb(adapter, 5)
    const unmerged = causalLogits(model, adapter, ids, mask)
    const base = baseLogits()
    expect(maxAbsDiff(unmerged, base)).toBeGreaterThan(0.01)
    adapter.merge()
    const merged = causalLogits(model, adapter, ids, mask)
    // Folding changes float32 summation order; on wasm that alone moves logits of size ~19 by a
    // few ulps (ulp 1.9e-6 there) over 5 layers, so the bound is 1e-5 relative to their size.
    const size = tf.tidy(() => tf.max(tf.abs(unmerged)).dataSync()[0]!)
    expect(maxAbsDiff(merged, unmerged)).toBeLessThan(1e-5 * size)
    adapter.unmerge()
    const back = causalLogits(model, adapter, ids, mask)
    expect(maxAbsDiff(back, unmerged)).toBe(0)
    for (const [name, t] of model.parameters) expect(bytes(t), name).toBe(before.get(name))
    tf.dispose([unmerged, base, merged, back])
    adapter.dispose()
  })

  it("switches between named adapters on one base, each unaffected by the other", () => {
    const lora = createLoraModel(model)
    const a = lora.add("a", qkv, Rng.seeded(4))
    const b = lora.add("b", { ...qkv, targetModules: ["v_proj"] }, Rng.seeded(5))
    perturb(a, 11)
    perturb(b, 12)
    expect(lora.active).toBe(a)
    const fromA = causalLogits(model, lora.active, ids, mask)
    lora.setActive("b")
    expect(lora.active).toBe(b)
    const fromB = causalLogits(model, lora.active, ids, mask)
    const [ownA, ownB] = [causalLogits(model, a, ids, mask), causalLogits(model, b, ids, mask)]
    expect(maxAbsDiff(fromA, ownA)).toBe(0)
    expect(maxAbsDiff(fromB, ownB)).toBe(0)
    expect(maxAbsDiff(fromA, fromB)).toBeGreaterThan(0.01)
    expect(() => lora.setActive("c")).toThrow(/no LoRA adapter named "c"/)
    expect(() => lora.add("a", qkv, Rng.seeded(6))).toThrow(/already exists/)
    tf.dispose([fromA, fromB, ownA, ownB])
    lora.dispose()
    expect(lora.adapters.size).toBe(0)
  })

  it.each([
    ["a float base", false],
    ["an NF4 base (QLoRA)", true],
  ])("lowers the answer loss a lot over %s while every base weight stays byte-identical, leaking no tensors", async (_, nf4) => {
    const tensorsAtStart = tf.memory().numTensors
    const quantized = nf4 ? await quantizeModelLinears(model) : undefined
    const adapter = createLora(model, { ...qkv, loraDropout: 0.05 }, Rng.seeded(7))
    const run = await trainOnFixedTask(model, adapter, { lr: 0.01, seed: 8 })
    console.log(`LoRA training over ${nf4 ? "NF4" : "float"}: answer loss ${run.startLoss.toFixed(3)} -> ${run.endLoss.toFixed(3)}`)
    expect(run.endLoss).toBeLessThan(run.startLoss / 4)
    expect(run.leakedTensors).toBe(0)
    expect(run.changedBaseParameters).toEqual([])
    adapter.dispose()
    quantized?.restore()
    expect(tf.memory().numTensors).toBe(tensorsAtStart)
  })
})
