// NF4 linears and model quantization on the cpu backend, against plain-JS matmuls and the
// independent float64 Llama forward run on the dequantized weights.
import { rmSync } from "node:fs"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Rng } from "@peftlab/core"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embeddingRows, naiveLlamaLogits, type Weights } from "@peftlab/references"
import { dequantizeNf4, loadCausalLM, nf4Linear, quantizeModelLinears, quantizeNf4, type CausalLM, type Linear } from "../src/index.ts"
import { tinyConfig, tinyLlama, writeRandomCheckpoint } from "./random-checkpoint.ts"

const randomMatrix = (rows: number, cols: number, seed: number): number[][] => {
  const rng = Rng.seeded(seed)
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()))
}
const matMul = (a: number[][], b: number[][]): number[][] =>
  a.map((row) => (b[0] ?? []).map((_, j) => row.reduce((s, v, k) => s + v * ((b[k] as number[])[j] as number), 0)))
const transpose = (m: number[][]): number[][] => (m[0] ?? []).map((_, j) => m.map((row) => row[j] as number))
const maxAbsDiff = (a: number[][], b: number[][]): number =>
  Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - ((b[i] as number[])[j] as number))))))

describe("NF4 on the cpu backend", () => {
  beforeAll(() => cpu.setup())

  describe("nf4Linear", () => {
    const [outFeatures, inFeatures] = [5, 7] // 35 weights: blocks of 8 leave a partial block of 3
    const floatWeight = randomMatrix(outFeatures, inFeatures, 11)
    const sourceWeight = tf.tensor2d(floatWeight)
    const source: Linear = {
      name: "model.layers.0.mlp.up_proj",
      shape: [outFeatures, inFeatures],
      readWeight: () => tf.clone(sourceWeight),
      apply: () => {
        throw new Error("nf4Linear must not call the float module")
      },
      dispose: () => {},
    }
    afterAll(() => sourceWeight.dispose())
    // [out, in] as the dequantized rows, computed independently of the module.
    const deq = (): number[][] => {
      const flat = dequantizeNf4(quantizeNf4(Float32Array.from(floatWeight.flat()), 8))
      return Array.from({ length: outFeatures }, (_, r) => Array.from(flat.subarray(r * inFeatures, (r + 1) * inFeatures)))
    }

    it("keeps the name and shape, stores the weight quantized, and projects with the dequantized weight", async () => {
      const before = tf.memory().numTensors
      const module = await nf4Linear(source, 8)
      expect(module.name).toBe(source.name)
      expect(module.shape).toEqual([outFeatures, inFeatures])
      expect(module.quantized).toEqual(quantizeNf4(Float32Array.from(floatWeight.flat()), 8))
      const x = randomMatrix(6, inFeatures, 12)
      const y = tf.tidy(() => module.apply(tf.tensor3d([x.slice(0, 3), x.slice(3)])).arraySync() as number[][][])
      expect(maxAbsDiff(y.flat(), matMul(x, transpose(deq())))).toBeLessThan(1e-5)
      module.dispose()
      expect(tf.memory().numTensors).toBe(before) // it holds no tensor: each call dequantizes its weight and frees it
    })

    it("passes the gradient to its input: dx = dy W_deq, finite", async () => {
      const module = await nf4Linear(source, 8)
      const x = randomMatrix(4, inFeatures, 13)
      const dy = randomMatrix(4, outFeatures, 14)
      const dx = tf.tidy(() => {
        const grad = tf.grad((input: tf.Tensor) => module.apply(input).mul(tf.tensor2d(dy)).sum())(tf.tensor2d(x))
        return grad.arraySync() as number[][]
      })
      module.dispose()
      expect(dx.flat().every(Number.isFinite)).toBe(true)
      expect(maxAbsDiff(dx, matMul(dy, deq()))).toBeLessThan(1e-5)
    })
  })

  describe("quantizeModelLinears on a random untied checkpoint", () => {
    let model: CausalLM
    let weights: Weights
    let dir: string
    beforeAll(async () => {
      const checkpoint = await writeRandomCheckpoint({ seed: 5 })
      dir = checkpoint.dir
      weights = checkpoint.weights
      model = await Effect.runPromise(loadCausalLM(dir))
    })
    afterAll(() => {
      model.dispose()
      rmSync(dir, { recursive: true })
    })
    const ids = [1, 7, 33, 4, 49, 12]
    const logits = (): number[][] =>
      tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")) }).arraySync()[0] as number[][])
    const embedRows = (): number[][] => embeddingRows(weights, "model.embed_tokens.weight", ids)

    it("replaces every decoder projection but the head, and the model then computes with the dequantized weights", async () => {
      const floatLogits = logits()
      const before = tf.memory().numTensors
      const lmHead = model.linears.get("lm_head")
      const report = await quantizeModelLinears(model)

      const projections = [...model.linears.keys()].filter((name) => name !== "lm_head")
      expect(report.modules).toEqual(projections)
      expect(projections).toHaveLength(7 * tinyConfig.num_hidden_layers)
      expect(model.linears.get("lm_head")).toBe(lmHead)
      const sizes = projections.map((name) => weights.get(`${name}.weight`)?.data.length ?? 0)
      expect(report.floatBytes).toBe(sizes.reduce((s, n) => s + 4 * n, 0))
      expect(report.quantizedBytes).toBe(sizes.reduce((s, n) => s + Math.ceil(n / 2) + 4 * Math.ceil(n / 64), 0))

      // Reference: the float64 forward with each projection replaced by its NF4 round trip.
      const roundTripped = new Map(weights)
      for (const name of projections) {
        const w = weights.get(`${name}.weight`)
        if (w) roundTripped.set(`${name}.weight`, { shape: w.shape, data: dequantizeNf4(quantizeNf4(w.data)) })
      }
      const nf4Logits = logits()
      expect(maxAbsDiff(nf4Logits, naiveLlamaLogits(tinyLlama, roundTripped, embedRows()))).toBeLessThan(1e-4)
      expect(maxAbsDiff(nf4Logits, floatLogits)).toBeGreaterThan(1e-3) // quantization did change the model

      report.restore()
      expect(tf.memory().numTensors).toBe(before)
      expect(model.linears.get(projections[0] ?? "")).not.toHaveProperty("quantized")
      expect(logits()).toEqual(floatLogits)
    })

    it("quantizes only what the filter selects", async () => {
      const report = await quantizeModelLinears(model, (name) => name.endsWith("q_proj"), 32)
      expect(report.modules).toEqual(["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj"])
      expect(model.linears.get("model.layers.0.self_attn.q_proj")).toHaveProperty("quantized.blockSize", 32)
      expect(model.linears.get("model.layers.0.self_attn.k_proj")).not.toHaveProperty("quantized")
      report.restore()
    })
  })
})
