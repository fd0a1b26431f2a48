// PiSSA and LoftQ against PEFT 0.21.2 (fixture from tools/goldens/lora-inits.ts, no Python needed):
// the SVD against torch.linalg.svd; per module, peftlab's frozen weight and scale B A against
// PEFT's after pissa_init and loftq_init (products, never factors: an SVD's vectors are fixed only
// up to sign); pissa_niter_N against the full SVD on a matrix with a spectral gap; an initialised
// model computing the base; and the rank-2r conversion computing what the PiSSA model computes.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import { loadModel, readSafetensors, type BaseModel } from "@peftlab/models"
import { adapterLogits, goldenBases, goldensDir, maxAbsDiff, paddedBatch, writeGoldenBase } from "@peftlab/testkit/peft-goldens"
import { createLora, type LoraAdapter, type LoraInit } from "../src/index.ts"
import { matMul, svd, svdLowRank, transpose } from "../src/layer/svd.ts"
import { loraInitGoldens } from "./goldens/lora-inits.ts"

const { request } = loraInitGoldens
const fixture = await Effect.runPromise(readSafetensors(join(goldensDir(join(import.meta.dirname, "..")), loraInitGoldens.tensorsFile)))
const golden = (name: string): Float32Array => {
  const tensor = fixture.get(name)
  if (!tensor) throw new Error(`${loraInitGoldens.tensorsFile} has no tensor "${name}": run tools/goldens/lora-inits.ts`)
  return tensor.data as Float32Array
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))))

let model: BaseModel
beforeAll(async () => {
  await tf.setBackend("cpu")
  model = await Effect.runPromise(loadModel(await writeGoldenBase(goldenBases.llama)))
})

const lora = (init: LoraInit, extra: { loftqIterations?: number } = {}): LoraAdapter =>
  createLora(model, { r: request.r, loraAlpha: request.lora_alpha, loraDropout: 0, targetModules: [...request.target_modules], useRslora: false, bias: "none", initLoraWeights: init, ...extra }, Rng.seeded(5))

/** A module's frozen weight and scale B A, flattened. */
const frozenAndUpdate = (adapter: LoraAdapter, name: string) =>
  tf.tidy(() => {
    const m = adapter.modules.get(name)!
    return { frozen: m.readWeight().dataSync(), update: tf.matMul(m.loraB, m.loraA).mul(m.scale).dataSync() }
  })

describe("svd", () => {
  const check = (values: ArrayLike<number>, rows: number, columns: number) => {
    const { u, s, vt, k } = svd(values, rows, columns)
    const back = matMul(Float64Array.from(u, (x, i) => x * s[i % k]!), vt, rows, k, columns)
    const identity = (x: Float64Array) => maxDiff(x, Float64Array.from(x, (_, i) => (Math.floor(i / k) === i % k ? 1 : 0)))
    return { s, reconstruction: maxDiff(back, values), uOrthogonality: identity(matMul(transpose(u, rows, k), u, k, rows, k)), vOrthogonality: identity(matMul(vt, transpose(vt, k, columns), k, columns, k)) }
  }

  it("decomposes a known matrix: [[3, 0], [4, 5]] has singular values 3√5 and √5", () => {
    const { s, reconstruction } = check([3, 0, 4, 5], 2, 2)
    expect(Math.abs(s[0]! - 3 * Math.sqrt(5))).toBeLessThan(1e-12)
    expect(Math.abs(s[1]! - Math.sqrt(5))).toBeLessThan(1e-12)
    expect(reconstruction).toBeLessThan(1e-12)
  })

  it("gives a rank-deficient matrix's zero singular values", () => {
    const { s, reconstruction } = check([1, 2, 3, 2, 4, 6, 1, 1, 1], 3, 3)
    expect(s[2]!).toBeLessThan(1e-12)
    expect(reconstruction).toBeLessThan(1e-12)
  })

  it.each(["wide", "tall", ...request.target_modules.map((m) => `model.layers.1.self_attn.${m}`).filter((n) => !/gate|up|down/.test(n)), "model.layers.0.mlp.down_proj", "model.layers.0.mlp.up_proj"])(
    "%s: torch.linalg.svd's singular values within 1e-5 relative; U S Vᵀ = A and orthonormal U, V within 1e-12",
    (name) => {
      const isRandom = name === "wide" || name === "tall"
      const values = isRandom ? golden(`svd.${name}.a`) : tf.tidy(() => model.linears.get(name)!.readWeight().dataSync())
      const [rows, columns] = name === "wide" ? [30, 40] : name === "tall" ? [40, 30] : model.linears.get(name)!.shape
      const { s, reconstruction, uOrthogonality, vOrthogonality } = check(values, rows, columns)
      const torchS = golden(`svd.${name}.s`)
      const relative = Math.max(...Array.from(torchS, (t, i) => Math.abs(s[i]! - t) / torchS[0]!))
      expect(relative).toBeLessThan(1e-5)
      expect(reconstruction).toBeLessThan(1e-12)
      expect(Math.max(uOrthogonality, vOrthogonality)).toBeLessThan(1e-12)
    },
  )

  it("svdLowRank (torch.svd_lowrank's subspace iteration) converges to the full SVD's rank-q product where the spectrum has a gap", () => {
    // [60, 50] = rank-3 signal with singular values 10, 8, 6 plus noise of norm ~0.1: a clear gap after 3.
    const rng = Rng.seeded(9)
    const [rows, columns, q] = [60, 50, 3]
    const noise = Float64Array.from({ length: rows * columns }, () => 0.01 * rng.normal())
    const basis = (n: number) => svd(Float64Array.from({ length: n * q }, () => rng.normal()), n, q).u
    const left = basis(rows)
    const right = basis(columns)
    const signal = matMul(Float64Array.from(left, (x, i) => x * [10, 8, 6][i % q]!), transpose(right, columns, q), rows, q, columns)
    const a = Float64Array.from(signal, (x, i) => x + noise[i]!)
    const rankQ = (d: { u: Float64Array; s: Float64Array; vt: Float64Array; k: number }) =>
      matMul(Float64Array.from({ length: rows * q }, (_, i) => d.u[Math.floor(i / q) * d.k + (i % q)]! * d.s[i % q]!), d.vt.subarray(0, q * columns), rows, q, columns)
    const full = rankQ(svd(a, rows, columns))
    const approx = rankQ(svdLowRank(a, rows, columns, q, 4, Rng.seeded(1)))
    expect(maxDiff(approx, full)).toBeLessThan(1e-9)
  })
})

describe("PiSSA and LoftQ against PEFT's pissa_init and loftq_init", () => {
  it("pissa: per module, the residual and scale B A within 1e-4 of PEFT's; the initialised model computes the base", async () => {
    const adapter = lora("pissa")
    for (const name of adapter.modules.keys()) {
      const { frozen, update } = frozenAndUpdate(adapter, name)
      console.log(`pissa ${name}: residual ${maxDiff(frozen, golden(`pissa.${name}.residual`)).toExponential(1)} update ${maxDiff(update, golden(`pissa.${name}.update`)).toExponential(1)}`)
      expect(maxDiff(frozen, golden(`pissa.${name}.residual`))).toBeLessThan(1e-4)
      expect(maxDiff(update, golden(`pissa.${name}.update`))).toBeLessThan(1e-4)
    }
    expect(maxAbsDiff(await adapterLogits(model, adapter, paddedBatch), await adapterLogits(model, frozenBase(), paddedBatch))).toBeLessThan(1e-5)
    adapter.dispose()
  })

  it.each(request.loftq_iters)("loftq (loftq_iter %i): per module, the dequantized NF4 base and scale B A within 1e-4 of PEFT's (bitsandbytes' NF4 on the CPU)", (iterations) => {
    const adapter = lora("loftq", { loftqIterations: iterations })
    for (const name of adapter.modules.keys()) {
      const { frozen, update } = frozenAndUpdate(adapter, name)
      console.log(`loftq${iterations} ${name}: base ${maxDiff(frozen, golden(`loftq${iterations}.${name}.base`)).toExponential(1)} update ${maxDiff(update, golden(`loftq${iterations}.${name}.update`)).toExponential(1)}`)
      expect(maxDiff(frozen, golden(`loftq${iterations}.${name}.base`))).toBeLessThan(1e-4)
      expect(maxDiff(update, golden(`loftq${iterations}.${name}.update`))).toBeLessThan(1e-4)
    }
    adapter.dispose()
  })

  it.each<[LoraInit, number]>([["pissa", 1e-5], ["pissa_niter_2", 1e-5], ["loftq", 1e-5]])("%s: converted to rank 2r, the adapter computes what it did (within %f), and saves PEFT's converted config", async (init, tolerance) => {
    const adapter = lora(init, init === "loftq" ? { loftqIterations: 1 } : {})
    adapter.modules.forEach((m) => tf.tidy(() => m.loraB.assign(m.loraB.add(tf.randomNormal(m.loraB.shape, 0, 0.2, "float32", 3)))))
    const before = await adapterLogits(model, adapter, paddedBatch)
    adapter.convertToPlainLora()
    expect(maxAbsDiff(await adapterLogits(model, adapter, paddedBatch), before)).toBeLessThan(tolerance)
    expect(adapter.modules.get("model.layers.0.self_attn.q_proj")!.loraA.shape).toEqual([2 * request.r, 24])
    expect(adapter.peftConfig()).toMatchObject({ init_lora_weights: true, r: 2 * request.r, lora_alpha: 2 * request.lora_alpha })
    adapter.dispose()
  })
})
