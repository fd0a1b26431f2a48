// training.activation_cache_mb as an arm's training sees it: a cache attached to the model for the
// length of the training only, its work logged at the end, and none at all at 0; and as a run's
// fingerprint sees it: not at all, since it changes only the work done.
import * as tf from "@tensorflow/tfjs"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { createLora } from "@peftlab/adapters-lora"
import { Events, Rng, type RunEvent } from "@peftlab/core"
import { continuationNll } from "@peftlab/evaluators"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { writeTinyCheckpoint } from "@peftlab/testkit"
import { fingerprintInputs, fingerprintOf } from "../src/fingerprint.ts"
import { withFrozenActivationCache } from "../src/frozen-activations.ts"
import { quickstartSpec } from "./fixtures.ts"

const rows = [
  { prompt: [1, 5, 9], continuation: [12, 2] },
  { prompt: [1, 7], continuation: [3, 2] },
]

/** Two scoring passes of LoRA on the top layer inside withFrozenActivationCache, with the events it emitted. */
const twoPasses = async (model: CausalLM, megabytes: number) => {
  const adapter = createLora(model, { r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ["q_proj"], layersToTransform: [1], useRslora: false, bias: "none" }, Rng.seeded(1))
  const events: Array<RunEvent> = []
  const attached: Array<boolean> = []
  const pass = Effect.sync(() => {
    attached.push(model.frozenActivations?.cache !== undefined)
    for (let i = 0; i < 2; i++) tf.dispose(continuationNll(model, adapter, rows, 0))
  })
  await Effect.runPromise(
    withFrozenActivationCache("top", model, megabytes, pass).pipe(Effect.provide(Layer.succeed(Events, { emit: (event) => Effect.sync(() => events.push(event)) }))),
  )
  adapter.dispose()
  return { events, attached }
}

describe("withFrozenActivationCache", () => {
  let model: CausalLM
  beforeAll(async () => {
    await cpu.setup()
    model = await Effect.runPromise(loadCausalLM(await writeTinyCheckpoint("llama", 4)))
  })

  it("attaches a cache while the arm trains, detaches it after, and logs what it served", async () => {
    const { events, attached } = await twoPasses(model, 1)
    expect(attached).toEqual([true])
    expect(model.frozenActivations?.cache).toBeUndefined()
    expect(events).toEqual([{ type: "log", level: "info", message: "top: frozen-activation cache served 2 rows, ran the frozen layers for 2, kept 2 (0.0 MiB)" }])
  })

  it("attaches none at 0 MiB", async () => {
    const { events, attached } = await twoPasses(model, 0)
    expect(attached).toEqual([false])
    expect(events).toEqual([])
  })
})

describe("training.activation_cache_mb in the fingerprint", () => {
  it("counts for nothing: a folder made before the field, or with another size, still resumes", async () => {
    const spec = await quickstartSpec()
    const { activation_cache_mb: _, ...beforeTheField } = spec.training
    const of = (training: object) => fingerprintOf(fingerprintInputs({ ...spec, training: training as typeof spec.training }, "data", "weights", "wasm"))
    expect(of({ ...spec.training, activation_cache_mb: 0 })).toBe(of(spec.training))
    expect(of(beforeTheField)).toBe(of(spec.training))
    expect(of({ ...spec.training, epochs: spec.training.epochs + 1 })).not.toBe(of(spec.training))
  })
})
