// The same model and the same training step on webgpu as on cpu (and wasm): stories260k's logits
// and one LoRA step of the fixed task. Each backend loads its own copy of the model, since
// tfjs moves a tensor between backends by reading it synchronously, which webgpu cannot do.
import * as tf from "@tensorflow/tfjs"
import { createLora } from "@peftlab/adapters-lora"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Rng, type BackendPlugin } from "@peftlab/core"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { trainOnFixedTask } from "@peftlab/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { plugin as webgpu } from "../src/index.ts"

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the webgpu parity checks: ${probe.reason}`)

const withModel = async <A>(backend: BackendPlugin, use: (model: CausalLM) => Promise<A>): Promise<A> => {
  await backend.setup()
  const model = await Effect.runPromise(loadCausalLM(stories260kDir))
  try {
    return await use(model)
  } finally {
    model.dispose()
  }
}

const ids = [1, 403, 407, 261, 13, 378, 432, 383]
const logitsOn = (backend: BackendPlugin) =>
  withModel(backend, async (model) => {
    const logits = tf.tidy(() => model.forward({ embeds: model.embed(tf.tensor2d([ids], undefined, "int32")) }))
    const values = (await logits.array())[0] as number[][]
    logits.dispose()
    return values
  })

const maxAbsDiff = (a: number[][], b: number[][]): number =>
  Math.max(...a.map((row, t) => Math.max(...row.map((v, j) => Math.abs(v - ((b[t] as number[])[j] as number))))))

const oneLoraStepOn = (backend: BackendPlugin) =>
  withModel(backend, async (model) => {
    const config = { r: 4, loraAlpha: 8, loraDropout: 0, targetModules: ["q_proj", "v_proj"], useRslora: false, bias: "none" } as const
    const adapter = createLora(model, config, Rng.seeded(7))
    try {
      return await trainOnFixedTask(model, adapter, { lr: 0.01, seed: 8, epochs: 1 })
    } finally {
      adapter.dispose()
    }
  })

describe.skipIf(!probe.available)("webgpu parity with cpu on stories260k", () => {
  it("gives the logits of cpu within 1e-3, as wasm does", async () => {
    const reference = await logitsOn(cpu)
    expect(reference).toHaveLength(ids.length)
    const [onWasm, onWebgpu] = [maxAbsDiff(await logitsOn(wasm), reference), maxAbsDiff(await logitsOn(webgpu), reference)]
    console.log(`max |logit - cpu's| over ${ids.length} positions: wasm ${onWasm.toExponential(2)}, webgpu ${onWebgpu.toExponential(2)}`)
    expect(onWasm).toBeLessThan(1e-3)
    expect(onWebgpu).toBeLessThan(1e-3)
  })

  it("takes the same LoRA training step: the answer loss before and after within 1e-3 of cpu's", async () => {
    const reference = await oneLoraStepOn(cpu)
    const got = await oneLoraStepOn(webgpu)
    console.log(`answer loss before -> after one step: cpu ${reference.startLoss} -> ${reference.endLoss}, webgpu ${got.startLoss} -> ${got.endLoss}`)
    expect(reference.endLoss).toBeLessThan(reference.startLoss - 1e-2) // the step did move the adapter
    expect(Math.abs(got.startLoss - reference.startLoss)).toBeLessThan(1e-3)
    expect(Math.abs(got.endLoss - reference.endLoss)).toBeLessThan(1e-3)
    expect(got.leakedTensors).toBe(0)
    expect(got.changedBaseParameters).toEqual([])
  })
})
