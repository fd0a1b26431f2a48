// How the runner holds the base for a spec: on the host backends, its weight matrices as stored
// (and NF4 while loading when every arm is QLoRA), on webgpu the same in device memory,
// and training.gradient_checkpointing switched
// on for an architecture that has it, or refused by name for one that has not.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { loadModel, writeRandomCheckpoint } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import type { ExperimentSpec } from "@peftlab/spec"
import { applyGradientCheckpointing } from "../src/gradient-checkpointing.ts"
import { placementFor } from "../src/language-model.ts"
import { quickstartSpec } from "./fixtures.ts"

const webgpuProbe = await webgpu.probe()

const withCheckpointing = (spec: ExperimentSpec): ExperimentSpec => ({ ...spec, training: { ...spec.training, gradient_checkpointing: true } })

describe("the base's placement and gradient checkpointing", () => {
  beforeAll(() => cpu.setup())

  it("holds the weights on the host on cpu, and quantizes while loading only when every arm is QLoRA", async () => {
    expect(tf.getBackend()).toBe("cpu")
    const spec = await quickstartSpec()
    expect(spec.arms.some((arm) => !(arm.kind === "lora" && "quantize" in arm && arm.quantize === "nf4"))).toBe(true)
    expect(placementFor(spec)).toEqual({ weights: "host" })
    const qlora = { ...spec, arms: [{ name: "qlora", kind: "lora", r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ["q_proj"], use_rslora: false, quantize: "nf4" }] } as unknown as ExperimentSpec
    expect(placementFor(qlora)).toEqual({ weights: "host", quantize: { type: "nf4" } })
  })

  it.skipIf(!webgpuProbe.available)("holds them in device memory on webgpu (NF4 when every arm is QLoRA)", async () => {
    await webgpu.setup()
    try {
      const spec = await quickstartSpec()
      expect(placementFor(spec)).toEqual({ weights: "device" })
      const qlora = { ...spec, arms: [{ name: "qlora", kind: "lora", r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ["q_proj"], use_rslora: false, quantize: "nf4" }] } as unknown as ExperimentSpec
      expect(placementFor(qlora)).toEqual({ weights: "device", quantize: { type: "nf4" } })
    } finally {
      await cpu.setup()
    }
  })

  it("switches gradient checkpointing on for a Llama and leaves it off unless the spec asks", async () => {
    const model = await Effect.runPromise(loadModel(stories260kDir))
    const spec = await quickstartSpec()
    await Effect.runPromise(applyGradientCheckpointing(spec, model, stories260kDir))
    expect(model.gradientCheckpointing?.enabled).toBe(false)
    await Effect.runPromise(applyGradientCheckpointing(withCheckpointing(spec), model, stories260kDir))
    expect(model.gradientCheckpointing?.enabled).toBe(true)
    model.dispose()
  })

  it("switches it on for GPT-2 too, and refuses it by field for an architecture registered without it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-gpt2-"))
    const config = { model_type: "gpt2", vocab_size: 32, n_positions: 16, n_embd: 8, n_layer: 1, n_head: 2 }
    await Effect.runPromise(writeRandomCheckpoint(dir, config, 1))
    const model = await Effect.runPromise(loadModel(dir))
    const spec = withCheckpointing(await quickstartSpec())
    await Effect.runPromise(applyGradientCheckpointing(spec, model, dir))
    expect(model.gradientCheckpointing?.enabled).toBe(true)
    const without = { ...model, gradientCheckpointing: undefined }
    const error = await Effect.runPromise(Effect.flip(applyGradientCheckpointing(spec, without, dir)))
    expect(error.source).toBe("training.gradient_checkpointing")
    expect(error.detail).toContain(`the "gpt2" model in ${dir} has no gradient checkpointing`)
    model.dispose()
  })
})
